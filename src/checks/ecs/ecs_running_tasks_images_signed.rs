//! Every image a running task runs from the account's own ECR is signed. An
//! unsigned image that runs matters more than one that sits in a repository,
//! which `ecr_images_signed` judges.

use super::running::{NotJudged, listed_image, own_ecr_image, per_running_container};
use crate::checks::ecr::signature::image_signature;
use crate::checks::{Check, Context, Judgement, Scope, Unknown, Verdict, fail, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::ecs::RunningTask;

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
                return Err(NotJudged(format!(
                    "(it runs {}, outside this account's ECR, whose signatures bulkhead cannot read)",
                    running.image
                )));
            };
            let Some(digest) = running.image_digest.as_deref() else {
                return Ok(unknown("ECS reports no image digest for it (not pulled yet)"));
            };
            let image = format!("{}@{digest}", reference.repository);
            Ok(match listed_image(ctx, &region, &reference.repository, digest) {
                Err(why) => unknown(format!("could not tell whether {image} is signed: {why}")),
                Ok((_, _, None)) => fail(format!(
                    "runs {image}, which is no longer in its repository, so no signature can be shown for it"
                )),
                Ok((repository, listing, Some(listed))) => {
                    let signing = &ctx.account.regions[&region].ecr.signing_configuration;
                    match image_signature(&repository.name, listed, listing, signing) {
                        Ok(Judgement::Fail(why)) => fail(format!("runs {image}, which is not signed: {why}")),
                        Err(Unknown(why)) => unknown(format!("could not tell whether {image} is signed: {why}")),
                        signed => signed,
                    }
                }
            })
        },
        "every image it runs from this account's ECR is signed.",
    )
}
