//! Every image in every repository carries a signature: a cosign tag or an
//! OCI 1.1 signature referrer (Notation / AWS Signer, sigstore bundle).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ecr::{Image, Repository};
use crate::rules::image_signature::{SignatureStatus, signature_status};

pub const CHECK: Check = Check { id: "ecr_images_signed", scope: Scope::Images(judge), reads: &[] };

fn judge(_: &Context<'_>, _: &Repository, image: &Image, listing: &[Image]) -> Verdict {
    let subject = format!("Image {}{}", image.id, tags(image));
    match signature_status(image, listing) {
        SignatureStatus::Signed(kind) => pass(format!("{subject} is signed: {} was found.", kind.describe())),
        SignatureStatus::Unsigned(why) => fail(format!("{subject} {why}.")),
        SignatureStatus::Unknown(why) => unknown(format!("Could not tell whether {subject} is signed: {why}")),
    }
}

fn tags(image: &Image) -> String {
    if image.tags.is_empty() { " (untagged)".to_owned() } else { format!(" (tags: {})", image.tags.join(", ")) }
}
