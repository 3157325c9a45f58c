//! Rules over the containers of a task definition, which most task
//! definition checks are.

use crate::checks::{Verdict, fail, pass};
use crate::inventory::ecs::{Container, TaskDefinition};

/// Judges container by container: FAIL naming every offending container.
pub fn per_container(
    definition: &TaskDefinition,
    offends: impl Fn(&Container) -> Option<String>,
    passing: &str,
) -> Verdict {
    let offending: Vec<String> = definition
        .containers
        .iter()
        .filter_map(|container| offends(container).map(|why| format!("container {} {why}", container.name)))
        .collect();
    if offending.is_empty() { pass(passing) } else { fail(format!("{}.", offending.join("; "))) }
}

/// No user, or `root` / `0` (with or without a group): the container runs as root.
pub fn runs_as_root(user: Option<&str>) -> bool {
    match user.map(str::trim) {
        None | Some("") => true,
        Some(user) => matches!(user.split(':').next(), Some("root" | "0")),
    }
}

#[cfg(test)]
mod tests {
    use super::runs_as_root;

    #[test]
    fn root_users() {
        for user in [None, Some(""), Some("root"), Some("0"), Some("0:0"), Some("root:app")] {
            assert!(runs_as_root(user), "{user:?}");
        }
        for user in [Some("1000"), Some("app"), Some("1000:1000"), Some("nobody")] {
            assert!(!runs_as_root(user), "{user:?}");
        }
    }
}
