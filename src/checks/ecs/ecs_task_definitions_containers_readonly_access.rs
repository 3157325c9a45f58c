//! Every container's root filesystem is read-only (FSBP ECS.5).

use super::containers::per_container;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_containers_readonly_access", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    per_container(
        definition,
        |container| {
            (container.readonly_root_filesystem != Some(true))
                .then(|| "has a writable root filesystem (readonlyRootFilesystem not true)".to_owned())
        },
        "every container has a read-only root filesystem.",
    )
}
