//! Every image in every repository carries a signature: a cosign tag or an
//! OCI 1.1 signature referrer (Notation / AWS Signer, sigstore bundle).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::Collected;
use crate::inventory::ecr::{Image, Repository};
use crate::rules::image_signature::{SignatureKind, signature_from_listing};

pub const CHECK: Check = Check { id: "ecr_images_signed", scope: Scope::Images(judge), reads: &[] };

fn judge(_: &Context<'_>, _: &Repository, image: &Image, listing: &[Image]) -> Verdict {
    let subject = format!("Image {}{}", image.id, tags(image));
    if let Some(kind) = signature_from_listing(image, listing) {
        return pass(format!("{subject} is signed: {} was found.", kind.describe()));
    }
    match &image.referrers {
        Collected::Ok(referrers) => {
            let kind = referrers
                .iter()
                .find_map(|referrer| referrer.artifact_type.as_deref().and_then(SignatureKind::of_artifact_type));
            match kind {
                Some(kind) => pass(format!("{subject} is signed: {} was found.", kind.describe())),
                None => fail(unsigned(&subject)),
            }
        }
        // The listing settled it: no referrer points at this image.
        Collected::NotRequested => fail(unsigned(&subject)),
        Collected::Failed(err) => unknown(format!(
            "Could not tell whether {subject} is signed: {}:{} failed ({}): {}",
            err.service, err.operation, err.kind, err.message
        )),
    }
}

fn tags(image: &Image) -> String {
    if image.tags.is_empty() { " (untagged)".to_owned() } else { format!(" (tags: {})", image.tags.join(", ")) }
}

fn unsigned(subject: &str) -> String {
    format!("{subject} is not signed: no cosign signature tag and no Notation or sigstore signature referrer.")
}
