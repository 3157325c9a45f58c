use bulkhead::checks::Finding;
use bulkhead::inventory::ecr::{
    Image, ManagedSigningStatus, Referrer, SigningConfiguration, SigningFilter, SigningRule,
};

use super::*;

const CHECK: &str = "ecr_images_signed";
const PROFILE: &str = "arn:aws:signer:eu-west-1:111122223333:/signing-profiles/ecr_images";

/// `images` in repository `app`, in a region without managed signing.
fn with_images(images: Vec<Image>) -> AccountInventory {
    with_signing(images, Collected::Ok(None))
}

fn with_signing(images: Vec<Image>, signing: Collected<Option<SigningConfiguration>>) -> AccountInventory {
    account_with(|region| {
        region.ecr.repositories =
            Collected::Ok(vec![Repository { images: Collected::Ok(images), ..repository("app") }]);
        region.ecr.signing_configuration = signing;
    })
}

/// A signing configuration with one rule whose filters are `filters`.
fn signing(filters: &[&str]) -> Collected<Option<SigningConfiguration>> {
    let repository_filters = filters
        .iter()
        .map(|filter| SigningFilter { filter: (*filter).to_owned(), filter_type: "WILDCARD_MATCH".to_owned() })
        .collect();
    Collected::Ok(Some(SigningConfiguration {
        rules: vec![SigningRule { signing_profile_arn: PROFILE.to_owned(), repository_filters }],
    }))
}

fn managed(status: &str, failure: Option<(&str, &str)>) -> Collected<Vec<ManagedSigningStatus>> {
    Collected::Ok(vec![ManagedSigningStatus {
        signing_profile_arn: Some(PROFILE.to_owned()),
        status: Some(status.to_owned()),
        failure_code: failure.map(|(code, _)| code.to_owned()),
        failure_reason: failure.map(|(_, reason)| reason.to_owned()),
    }])
}

/// An image signed by a cosign tag, that tag, and an image with no stored signature.
fn cosign_signed_and_bare() -> Vec<Image> {
    let repo = repository("app");
    vec![
        image(&repo, &"a".repeat(64), &["v1"]),
        image(&repo, &"b".repeat(64), &[&format!("sha256-{}.sig", "a".repeat(64))]),
        image(&repo, &"c".repeat(64), &["v2"]),
    ]
}

fn statuses(findings: &[Finding]) -> Vec<Status> {
    findings.iter().map(|finding| finding.status).collect()
}

fn app_image(hex: &str, tag: &str, managed_signing: Collected<Vec<ManagedSigningStatus>>) -> Image {
    Image { managed_signing, ..image(&repository("app"), hex, &[tag]) }
}

#[test]
fn a_cosign_tag_or_a_signature_referrer_signs() {
    let listing = cosign_signed_and_bare();
    let findings = run(CHECK, &with_images(listing.clone()));
    assert_eq!(statuses(&findings), [Status::Pass, Status::Fail], "the signature itself is not judged");
    assert_eq!(findings[0].resource_id, listing[0].id);

    let mut notation = image(&repository("app"), "d", &["v3"]);
    notation.referrers = Collected::Ok(vec![Referrer {
        digest: "sha256:e".into(),
        artifact_type: Some("application/vnd.cncf.notary.signature".into()),
    }]);
    assert_eq!(status(CHECK, &with_images(vec![notation])), Status::Pass);
}

#[test]
fn an_unknown_signature_is_error_never_pass() {
    let mut open = image(&repository("app"), "d", &["v3"]);
    open.referrers = Collected::Failed(denied(Service::Ecr, "ListImageReferrers"));
    let finding = only(CHECK, &with_images(vec![open.clone()]));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, open.id.as_str()));
    let unlisted = repositories(vec![Repository {
        images: Collected::Failed(denied(Service::Ecr, "DescribeImages")),
        ..repository("app")
    }]);
    let finding = only(CHECK, &unlisted);
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "app"));
    assert_eq!(status(CHECK, &repositories_denied()), Status::Error);
}

#[test]
fn managed_signing_complete_passes_as_ecrs_status_not_a_verification() {
    let finding = only(CHECK, &with_signing(vec![app_image("a", "v1", managed("COMPLETE", None))], signing(&["a*"])));
    assert_eq!(finding.status, Status::Pass, "{finding:#?}");
    assert!(finding.message.contains("ECR managed signing reports its signing status COMPLETE"), "{}", finding.message);
    assert!(finding.message.contains(PROFILE), "{}", finding.message);
    assert!(finding.message.contains("not a cryptographic verification"), "{}", finding.message);
}

#[test]
fn managed_signing_failed_or_in_progress_fails_with_ecrs_status_and_reason() {
    let failed = managed("FAILED", Some(("SigningProfileNotFound", "the signing profile was revoked")));
    let findings = run(
        CHECK,
        &with_signing(
            vec![app_image("a", "v1", failed), app_image("b", "v2", managed("IN_PROGRESS", None))],
            signing(&[]),
        ),
    );
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert_eq!(findings[0].status, Status::Fail);
    assert!(
        findings[0].message.contains("status FAILED for signing profile")
            && findings[0].message.contains("(SigningProfileNotFound: the signing profile was revoked)"),
        "{}",
        findings[0].message
    );
    assert_eq!(findings[1].status, Status::Fail);
    assert!(findings[1].message.contains("status IN_PROGRESS"), "{}", findings[1].message);
    // A covered image ECR reports nothing for is not signed either.
    let silent = only(CHECK, &with_signing(vec![app_image("c", "v3", Collected::Ok(Vec::new()))], signing(&["*"])));
    assert_eq!(silent.status, Status::Fail);
    assert!(silent.message.contains("ECR reports no managed signing status"), "{}", silent.message);
}

#[test]
fn a_failed_signing_call_is_error_unless_a_stored_signature_settles_it() {
    let status_failed = app_image("a", "v1", Collected::Failed(denied(Service::Ecr, "DescribeImageSigningStatus")));
    let finding = only(CHECK, &with_signing(vec![status_failed], signing(&["app"])));
    assert_eq!(finding.status, Status::Error, "{finding:#?}");
    assert!(finding.message.contains("DescribeImageSigningStatus"), "{}", finding.message);

    // The configuration could not be read: a cosign-signed image still
    // passes, an image with no stored signature is unknown, not unsigned.
    let config_failed = Collected::Failed(denied(Service::Ecr, "GetSigningConfiguration"));
    let findings = run(CHECK, &with_signing(cosign_signed_and_bare(), config_failed));
    assert_eq!(statuses(&findings), [Status::Pass, Status::Error], "{findings:#?}");
    assert!(findings[1].message.contains("GetSigningConfiguration"), "{}", findings[1].message);
}

#[test]
fn without_managed_signing_for_the_repository_the_stored_signatures_decide() {
    let findings = run(CHECK, &with_images(cosign_signed_and_bare()));
    assert_eq!(statuses(&findings), [Status::Pass, Status::Fail], "{findings:#?}");
    assert!(findings[0].message.contains("cosign signature (tag"), "{}", findings[0].message);
    assert!(findings[1].message.contains("ECR managed signing is not configured"), "{}", findings[1].message);

    // A configuration whose rules cover other repositories only.
    let findings = run(CHECK, &with_signing(cosign_signed_and_bare(), signing(&["prod/*"])));
    assert_eq!(statuses(&findings), [Status::Pass, Status::Fail], "{findings:#?}");
    assert!(
        findings[1].message.contains("no ECR managed signing rule covers repository app"),
        "{}",
        findings[1].message
    );
}
