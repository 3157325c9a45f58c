//! Every image in every repository carries a signature: a cosign tag, an
//! OCI 1.1 signature referrer (Notation / AWS Signer, sigstore bundle), or
//! ECR managed signing's status COMPLETE.

use super::signature::image_signature;
use crate::checks::{Check, Context, Judgement, Registry, Scope, Unknown, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::{Image, Repository};

pub const CHECK: Check =
    Check { id: "ecr_images_signed", scope: Scope::Images(judge), reads: &[ResourceKind::EcrSigningConfiguration] };

fn judge(
    _: &Context<'_>,
    registry: &Registry<'_>,
    repository: &Repository,
    image: &Image,
    listing: &[Image],
) -> Verdict {
    let subject = format!("Image {}{}", image.id, tags(image));
    let signature = image_signature(&repository.name, image, listing, &registry.ecr.signing_configuration)
        .map_err(|Unknown(why)| Unknown(format!("Could not tell whether {subject} is signed: {why}")))?;
    match signature {
        Judgement::Pass(evidence) => pass(format!("{subject} is signed: {evidence}.")),
        Judgement::Fail(why) => fail(format!("{subject} is not signed: {why}.")),
        Judgement::NotApplicable => Ok(Judgement::NotApplicable),
    }
}

fn tags(image: &Image) -> String {
    if image.tags.is_empty() { " (untagged)".to_owned() } else { format!(" (tags: {})", image.tags.join(", ")) }
}
