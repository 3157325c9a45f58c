//! What a running task runs is what its task definition names today: the
//! digest it started with is the one its task definition pins, or the one
//! its tag points at now. A tag that moved means a redeploy (or a task
//! replaced by ECS) runs a different image from the one running.

use super::running::{NotJudged, definition_of, own_ecr_image, per_running_container};
use crate::checks::{Check, Context, Read, Scope, Unknown, Verdict, fail, pass, unknown};
use crate::image::reference::parse;
use crate::inventory::ResourceKind;
use crate::inventory::ecs::RunningTask;
use crate::inventory::image_configs::platform_of;

pub const CHECK: Check = Check {
    id: "ecs_running_tasks_images_match_task_definition",
    scope: Scope::RunningTasks(judge),
    reads: &[ResourceKind::EcsTaskDefinitions, ResourceKind::EcrImageConfigs],
};

fn judge(ctx: &Context<'_>, region: &str, task: &RunningTask) -> Verdict {
    let definition = definition_of(ctx, region, task).map_err(Unknown)?;
    let platform = platform_of(definition).to_string();
    per_running_container(
        task,
        |running| {
            let Some(declared) = definition.containers.iter().find(|container| container.name == running.name) else {
                return Ok(fail(format!(
                    "is not in task definition {}, which names {}",
                    definition.id,
                    definition
                        .containers
                        .iter()
                        .map(|container| container.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            let Some(digest) = running.image_digest.as_deref() else {
                return Ok(unknown("ECS reports no image digest for it (not pulled yet)"));
            };
            let Ok(reference) = parse(&declared.image) else {
                return Ok(unknown(format!("its declared image {} cannot be read", declared.image)));
            };
            if let Some(pinned) = &reference.digest {
                return Ok(if pinned == digest {
                    pass(format!("runs {digest}, which its task definition pins"))
                } else {
                    fail(format!("runs {digest}, but its task definition pins {}", declared.image))
                });
            }
            if own_ecr_image(ctx, &declared.image).is_none() {
                return Err(NotJudged(format!(
                    "(its tag {} is in a registry outside this account's ECR, which bulkhead does not read)",
                    declared.image
                )));
            }
            let images = match ctx.account.registry_images.read("the images the task definitions name") {
                Ok(images) => images,
                Err(why) => return Ok(Err(why)),
            };
            let Some(now) = images.iter().find(|image| image.is_named_by(&declared.image, &platform)) else {
                return Ok(unknown(format!("what {} points at now was not read", declared.image)));
            };
            if let Err(why) = now.config.get() {
                return Ok(unknown(format!("what {} points at now could not be read: {why}", declared.image)));
            }
            Ok(if now.has_digest(digest) {
                pass(format!("runs {digest}, which its tag {} points at now", declared.image))
            } else {
                let current = now.digest.as_deref().unwrap_or("an unknown digest");
                fail(format!(
                    "runs {digest}, but its tag {} now points at {current}: the tag moved, so a redeploy would run another image",
                    declared.image
                ))
            })
        },
        "runs the image its task definition names: every digest matches.",
    )
}
