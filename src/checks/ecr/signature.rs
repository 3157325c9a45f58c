//! What everything collected about an image says of its signature: the
//! judgement the image and running-task signature checks share.

use crate::checks::{Judgement, Verdict, fail, pass, unknown};
use crate::inventory::Collected;
use crate::inventory::ecr::{Image, ManagedSigningStatus, SigningConfiguration};
use crate::inventory::ecr_signing::{signature_found, signing_rules_covering};

/// The image's signature, from the repository's `DescribeImages` listing,
/// the image's signature referrers and ECR managed signing (the region's
/// signing configuration and, where a rule covers `repository`, ECR's
/// signing status of the image): PASS with what shows it, FAIL with what
/// was looked for and what ECR reports, ERROR when a call that would tell
/// failed or what it answers was not collected. Evidence of a signature
/// wins over a call that failed; a failed call never makes the image
/// unsigned.
pub fn image_signature(
    repository: &str,
    image: &Image,
    listing: &[Image],
    signing: &Collected<Option<SigningConfiguration>>,
) -> Verdict {
    if let Some(kind) = signature_found(image, listing) {
        return pass(format!("{} was found", kind.describe()));
    }
    let not_managed = match managed_signing(repository, image, signing)? {
        Judgement::Fail(why) => why,
        signed => return Ok(signed),
    };
    if let Collected::Failed(err) = &image.referrers {
        return unknown(format!(
            "{}:{} failed ({}): {} ({not_managed})",
            err.service, err.operation, err.kind, err.message
        ));
    }
    fail(format!("no cosign signature tag and no Notation or sigstore signature referrer, and {not_managed}"))
}

/// What ECR managed signing says of the image: PASS when ECR reports its
/// signing status COMPLETE, FAIL with why not, ERROR when what would tell
/// could not be read.
fn managed_signing(repository: &str, image: &Image, signing: &Collected<Option<SigningConfiguration>>) -> Verdict {
    let config = match signing.get() {
        Ok(Some(config)) => config,
        Ok(None) => return fail("ECR managed signing is not configured in the region"),
        Err(why) => {
            return unknown(format!(
                "ECR managed signing might sign it, but its signing configuration could not be read: {why}"
            ));
        }
    };
    if signing_rules_covering(config, repository).is_empty() {
        return fail(format!("no ECR managed signing rule covers repository {repository}"));
    }
    let statuses = match image.managed_signing.get() {
        Ok(statuses) => statuses,
        Err(why) => {
            return unknown(format!(
                "an ECR managed signing rule covers repository {repository}, but ECR's signing status of the image could not be read: {why}"
            ));
        }
    };
    if let Some(complete) = statuses.iter().find(|status| status.status.as_deref() == Some("COMPLETE")) {
        return pass(format!(
            "ECR managed signing reports its signing status COMPLETE for signing profile {} (ECR's signing status, not a cryptographic verification of the signature)",
            complete.signing_profile_arn.as_deref().unwrap_or("(not named)")
        ));
    }
    if statuses.is_empty() {
        return fail(format!(
            "ECR reports no managed signing status for it although a signing rule covers repository {repository} (pushed before the rule?)"
        ));
    }
    let reported: Vec<String> = statuses.iter().map(describe_status).collect();
    fail(format!("ECR managed signing reports {}", reported.join("; ")))
}

/// `status FAILED for signing profile ARN (CODE: reason)`.
fn describe_status(status: &ManagedSigningStatus) -> String {
    let profile = status.signing_profile_arn.as_deref().unwrap_or("(not named)");
    let mut text = format!("status {} for signing profile {profile}", status.status.as_deref().unwrap_or("(none)"));
    match (&status.failure_code, &status.failure_reason) {
        (None, None) => {}
        (code, reason) => text.push_str(&format!(
            " ({}: {})",
            code.as_deref().unwrap_or("no failure code"),
            reason.as_deref().unwrap_or("no failure reason")
        )),
    }
    text
}
