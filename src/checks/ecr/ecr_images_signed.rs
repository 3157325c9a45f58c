//! Every image in every repository carries a signature: a cosign tag, an
//! OCI 1.1 signature referrer (Notation / AWS Signer, sigstore bundle), or
//! ECR managed signing's status COMPLETE.

use crate::checks::{Check, Context, Registry, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::{Image, Repository};
use crate::rules::image_signature::{ImageSignature, image_signature};

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
    match image_signature(&repository.name, image, listing, &registry.ecr.signing_configuration) {
        ImageSignature::Signed { evidence, .. } => pass(format!("{subject} is signed: {evidence}.")),
        ImageSignature::Unsigned { why } => fail(format!("{subject} is not signed: {why}.")),
        ImageSignature::Unknown { why } => unknown(format!("Could not tell whether {subject} is signed: {why}")),
    }
}

fn tags(image: &Image) -> String {
    if image.tags.is_empty() { " (untagged)".to_owned() } else { format!(" (tags: {})", image.tags.join(", ")) }
}
