//! Containers that log do so in non-blocking mode, so a stalled log
//! destination cannot stall the application.

use super::containers::per_container;
use crate::checks::{Check, Context, Judgement, Scope, Verdict};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_logging_block_mode", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    // Containers without a log configuration are ecs_task_definitions_logging_enabled's concern.
    if definition.containers.iter().all(|container| container.log_driver.is_none()) {
        return Ok(Judgement::NotApplicable);
    }
    per_container(
        definition,
        |container| {
            container.log_driver.as_ref()?;
            match container.log_options.get("mode").map(String::as_str) {
                Some("non-blocking") => None,
                Some(mode) => Some(format!("logs in {mode} mode")),
                None => Some("logs in blocking mode (no mode option: the default)".to_owned()),
            }
        },
        "every container with a log configuration uses mode non-blocking.",
    )
}
