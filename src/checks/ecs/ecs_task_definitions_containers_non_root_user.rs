//! Every container names a non-root user.

use super::runs_as_root;
use super::task_definition_scope::{self, NEEDS, per_container};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_task_definitions_containers_non_root_user", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    task_definition_scope::evaluate(ctx, out, |definition| {
        per_container(
            definition,
            |container| match container.user.as_deref() {
                _ if !runs_as_root(container.user.as_deref()) => None,
                None | Some("") => Some(
                    "sets no user (it runs as the image's default user, root unless the image sets USER)".to_owned(),
                ),
                Some(user) => Some(format!("runs as {user}")),
            },
            "every container names a non-root user.",
        )
    });
}
