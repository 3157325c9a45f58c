//! Host network mode only with containers that are privileged or run as a
//! named non-root user (FSBP ECS.1's rule).

use super::containers::runs_as_root;
use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_host_networking_mode_users", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    let mode = definition.network_mode.as_deref().unwrap_or("bridge (default)");
    if definition.network_mode.as_deref() != Some("host") {
        return pass(format!("network mode is {mode}, not host."));
    }
    let offending: Vec<String> = definition
        .containers
        .iter()
        .filter(|container| container.privileged != Some(true) && runs_as_root(container.user.as_deref()))
        .map(|container| container.name.clone())
        .collect();
    if offending.is_empty() {
        pass("uses host network mode, and every container names a non-root user or is privileged.")
    } else {
        fail(format!(
            "uses host network mode with non-privileged containers running as root (no user, root or 0): {}.",
            offending.join(", ")
        ))
    }
}
