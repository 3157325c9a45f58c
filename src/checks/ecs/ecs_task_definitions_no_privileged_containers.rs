//! No container runs privileged (FSBP ECS.4).

use super::containers::per_container;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_no_privileged_containers", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    per_container(
        definition,
        |container| (container.privileged == Some(true)).then(|| "runs privileged (privileged: true)".to_owned()),
        "no container runs privileged.",
    )
}
