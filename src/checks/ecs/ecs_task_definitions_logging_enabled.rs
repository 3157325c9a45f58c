//! Every container has a log configuration (FSBP ECS.9).

use super::containers::per_container;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_logging_enabled", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    per_container(
        definition,
        |container| container.log_driver.is_none().then(|| "has no log configuration".to_owned()),
        "every container has a log configuration.",
    )
}
