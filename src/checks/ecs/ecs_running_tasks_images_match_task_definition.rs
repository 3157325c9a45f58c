//! What a running task runs is what its task definition names today: the
//! digest it started with is the one its task definition pins, or the one
//! its tag points at now. A tag that moved means a redeploy (or a task
//! replaced by ECS) runs a different image from the one running.

use super::running::{ContainerVerdict, definition_of, own_ecr_image, per_running_container};
use crate::checks::{Check, Context, Read, Scope, Unknown, Verdict};
use crate::inventory::ResourceKind;
use crate::inventory::ecs::RunningTask;
use crate::inventory::image_configs::platform_of;
use crate::rules::image_reference::parse;

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
                return ContainerVerdict::Offends(format!(
                    "is not in task definition {}, which names {}",
                    definition.id,
                    definition
                        .containers
                        .iter()
                        .map(|container| container.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let Some(digest) = running.image_digest.as_deref() else {
                return ContainerVerdict::Unknown("ECS reports no image digest for it (not pulled yet)".to_owned());
            };
            let Ok(reference) = parse(&declared.image) else {
                return ContainerVerdict::Unknown(format!("its declared image {} cannot be read", declared.image));
            };
            if let Some(pinned) = &reference.digest {
                return if pinned == digest {
                    ContainerVerdict::Passes
                } else {
                    ContainerVerdict::Offends(format!("runs {digest}, but its task definition pins {}", declared.image))
                };
            }
            if own_ecr_image(ctx, &declared.image).is_none() {
                return ContainerVerdict::NotJudged(format!(
                    "(its tag {} is in a registry outside this account's ECR, which bulkhead does not read)",
                    declared.image
                ));
            }
            let images = match ctx.account.registry_images.read("the images the task definitions name") {
                Ok(images) => images,
                Err(why) => return ContainerVerdict::Unknown(why.0),
            };
            let Some(now) = images.iter().find(|image| image.is_named_by(&declared.image, &platform)) else {
                return ContainerVerdict::Unknown(format!("what {} points at now was not read", declared.image));
            };
            if let Err(why) = now.config.get() {
                return ContainerVerdict::Unknown(format!(
                    "what {} points at now could not be read: {why}",
                    declared.image
                ));
            }
            if now.has_digest(digest) {
                ContainerVerdict::Passes
            } else {
                let current = now.digest.as_deref().unwrap_or("an unknown digest");
                ContainerVerdict::Offends(format!(
                    "runs {digest}, but its tag {} now points at {current}: the tag moved, so a redeploy would run another image",
                    declared.image
                ))
            }
        },
        "runs the image its task definition names: every digest matches.",
    )
}
