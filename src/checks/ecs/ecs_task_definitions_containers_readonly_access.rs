//! Every container's root filesystem is read-only (FSBP ECS.5).

use super::task_definition_scope::{self, NEEDS, per_container};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_task_definitions_containers_readonly_access", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    task_definition_scope::evaluate(ctx, out, |definition| {
        per_container(
            definition,
            |container| {
                (container.readonly_root_filesystem != Some(true))
                    .then(|| "has a writable root filesystem (readonlyRootFilesystem not true)".to_owned())
            },
            "every container has a read-only root filesystem.",
        )
    });
}
