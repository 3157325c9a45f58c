//! Every container has a log configuration (FSBP ECS.9).

use super::task_definition_scope::{self, NEEDS, per_container};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_task_definitions_logging_enabled", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    task_definition_scope::evaluate(ctx, out, |definition| {
        per_container(
            definition,
            |container| container.log_driver.is_none().then(|| "has no log configuration".to_owned()),
            "every container has a log configuration.",
        )
    });
}
