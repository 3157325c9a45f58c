//! Every image of this account's ECR that a task definition names carries
//! a signature, judged as `ecr_images_signed` judges an image: the gate a
//! deployment passes before the image ever runs (`bulkhead image`), where
//! `ecs_running_tasks_images_signed` judges what already runs.

use super::running::listed_image;
use crate::checks::ecr::signature::image_signature;
use crate::checks::{Check, Context, Judgement, Scope, Unknown, Verdict, fail, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::image_configs::RegistryImage;

pub const CHECK: Check = Check {
    id: "ecs_task_definitions_images_signed",
    scope: Scope::ImagesInUse(judge),
    reads: &[ResourceKind::EcrImages, ResourceKind::EcrSigningConfiguration],
};

fn judge(ctx: &Context<'_>, image: &RegistryImage) -> Verdict {
    let Some(digest) = image.digest.as_deref() else {
        return match image.config.error() {
            Some(err) => unknown(format!("did not resolve to a digest, so its signature cannot be looked up: {err}")),
            None => unknown("did not resolve to a digest, so its signature cannot be looked up"),
        };
    };
    match listed_image(ctx, &image.region, &image.repository, digest) {
        Err(why) => unknown(format!("could not be shown to be signed: {why}")),
        Ok((_, _, None)) => fail(format!(
            "is not in the listing of repository {} although its reference resolved to {digest}: no signature can be shown for it.",
            image.repository
        )),
        Ok((repository, listing, Some(listed))) => {
            let signing = &ctx.account.regions[&image.region].ecr.signing_configuration;
            match image_signature(&repository.name, listed, listing, signing) {
                Ok(Judgement::Pass(evidence)) => Ok(Judgement::Pass(format!("is signed: {evidence}."))),
                Ok(Judgement::Fail(why)) => fail(format!("is not signed: {why}.")),
                Ok(Judgement::NotApplicable) => Ok(Judgement::NotApplicable),
                Err(Unknown(why)) => unknown(format!("could not be shown to be signed: {why}")),
            }
        }
    }
}
