//! Every image in every repository carries a signature: a cosign tag or an
//! OCI 1.1 signature referrer (Notation / AWS Signer, sigstore bundle).

use crate::checks::{Check, Context, Findings};
use crate::inventory::ecr::{Image, is_signable, signature_from_listing};
use crate::inventory::{Collected, ResourceKind};
use crate::rules::image_signature::SignatureKind;

pub const CHECK: Check =
    Check { id: "ecr_images_signed", needs: &[ResourceKind::EcrRepositories, ResourceKind::EcrImages], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let account = ctx.account;
    for (region, repositories) in out.per_region(account, "ecr", "repository/*", |region| &region.ecr.repositories) {
        for repository in repositories {
            let images = match repository.images.get() {
                Ok(images) => images,
                Err(why) => {
                    out.resource(region, &repository.name, &repository.arn)
                        .error(format!("Could not list the images of repository {}: {why}", repository.name));
                    continue;
                }
            };
            for image in images.iter().filter(|image| is_signable(image)) {
                let resource_id = format!("{}@{}", repository.name, image.digest);
                let arn = format!("{}/{}", repository.arn, image.digest);
                let subject = format!("Image {resource_id}{}", tags(image));
                let finding = out.resource(region, resource_id, arn);
                if let Some(kind) = signature_from_listing(image, images) {
                    finding.pass(format!("{subject} is signed: {} was found.", kind.describe()));
                    continue;
                }
                match &image.referrers {
                    Collected::Ok(referrers) => {
                        match referrers.iter().find_map(|referrer| {
                            referrer.artifact_type.as_deref().and_then(SignatureKind::of_artifact_type)
                        }) {
                            Some(kind) => finding.pass(format!("{subject} is signed: {} was found.", kind.describe())),
                            None => finding.fail(unsigned(&subject)),
                        }
                    }
                    // The listing settled it: no referrer points at this image.
                    Collected::NotRequested => finding.fail(unsigned(&subject)),
                    Collected::Failed(err) => finding.error(format!(
                        "Could not tell whether {subject} is signed: {}:{} failed ({:?}): {}",
                        err.service, err.operation, err.kind, err.message
                    )),
                }
            }
        }
    }
}

fn tags(image: &Image) -> String {
    if image.tags.is_empty() { " (untagged)".to_owned() } else { format!(" (tags: {})", image.tags.join(", ")) }
}

fn unsigned(subject: &str) -> String {
    format!("{subject} is not signed: no cosign signature tag and no Notation or sigstore signature referrer.")
}
