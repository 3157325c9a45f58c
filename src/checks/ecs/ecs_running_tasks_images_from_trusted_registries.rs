//! Every image a running task runs comes from ECR in the audited account or
//! from a registry on the trust list (`trusted_registries`): judged on what
//! ECS started, which outlives any later change to the task definition.

use super::running::per_running_container;
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::image::reference::{is_trusted, parse};
use crate::inventory::ecs::RunningTask;

pub const CHECK: Check =
    Check { id: "ecs_running_tasks_images_from_trusted_registries", scope: Scope::RunningTasks(judge), reads: &[] };

fn judge(ctx: &Context<'_>, _: &str, task: &RunningTask) -> Verdict {
    let accounts = [ctx.account.account_id.as_str()];
    let trusted = &ctx.config.trusted_registries;
    per_running_container(
        task,
        |running| {
            Ok(match parse(&running.image) {
                Ok(image) if is_trusted(&image, &accounts, trusted) => pass(format!("runs {}", running.image)),
                Ok(image) => {
                    fail(format!("runs {} from {}, which is not a trusted registry", running.image, image.registry))
                }
                Err(err) => unknown(format!("its image reference cannot be read: {err}")),
            })
        },
        "every image it runs comes from ECR in this account or a trusted registry.",
    )
}
