//! No container runs privileged (FSBP ECS.4).

use super::task_definition_scope::{self, NEEDS, per_container};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_task_definitions_no_privileged_containers", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    task_definition_scope::evaluate(ctx, out, |definition| {
        per_container(
            definition,
            |container| (container.privileged == Some(true)).then(|| "runs privileged (privileged: true)".to_owned()),
            "no container runs privileged.",
        )
    });
}
