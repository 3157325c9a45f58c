//! Every image a running task runs from the account's own ECR is signed. An
//! unsigned image that runs matters more than one that sits in a repository,
//! which `ecr_images_signed` judges.

use super::running::{ContainerVerdict, listed_image, own_ecr_image, per_running_container};
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ResourceKind;
use crate::inventory::ecs::RunningTask;
use crate::rules::image_signature::{ImageSignature, image_signature};

pub const CHECK: Check = Check {
    id: "ecs_running_tasks_images_signed",
    scope: Scope::RunningTasks(judge),
    reads: &[ResourceKind::EcrImages, ResourceKind::EcrSigningConfiguration],
};

fn judge(ctx: &Context<'_>, _: &str, task: &RunningTask) -> Verdict {
    per_running_container(
        task,
        |running| {
            let Some((reference, region)) = own_ecr_image(ctx, &running.image) else {
                return ContainerVerdict::NotJudged(format!(
                    "(it runs {}, outside this account's ECR, whose signatures bulkhead cannot read)",
                    running.image
                ));
            };
            let Some(digest) = running.image_digest.as_deref() else {
                return ContainerVerdict::Unknown("ECS reports no image digest for it (not pulled yet)".to_owned());
            };
            let image = format!("{}@{digest}", reference.repository);
            match listed_image(ctx, &region, &reference.repository, digest) {
                Err(why) => ContainerVerdict::Unknown(format!("could not tell whether {image} is signed: {why}")),
                Ok((_, _, None)) => ContainerVerdict::Offends(format!(
                    "runs {image}, which is no longer in its repository, so no signature can be shown for it"
                )),
                Ok((repository, listing, Some(listed))) => {
                    let signing = &ctx.account.regions[&region].ecr.signing_configuration;
                    match image_signature(&repository.name, listed, listing, signing) {
                        ImageSignature::Signed { .. } => ContainerVerdict::Passes,
                        ImageSignature::Unsigned { why } => {
                            ContainerVerdict::Offends(format!("runs {image}, which is not signed: {why}"))
                        }
                        ImageSignature::Unknown { why } => {
                            ContainerVerdict::Unknown(format!("could not tell whether {image} is signed: {why}"))
                        }
                    }
                }
            }
        },
        "every image it runs from this account's ECR is signed.",
    )
}
