//! Every container names a non-root user.

use super::containers::{per_container, runs_as_root};
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_containers_non_root_user", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    per_container(
        definition,
        |container| match container.user.as_deref() {
            _ if !runs_as_root(container.user.as_deref()) => None,
            None | Some("") => {
                Some("sets no user (it runs as the image's default user, root unless the image sets USER)".to_owned())
            }
            Some(user) => Some(format!("runs as {user}")),
        },
        "every container names a non-root user.",
    )
}
