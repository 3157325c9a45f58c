use bulkhead::inventory::ecr::{Image, Referrer};

use super::*;

const CHECK: &str = "ecr_images_signed";

fn with_images(images: Vec<Image>) -> AccountInventory {
    repositories(vec![Repository { images: Collected::Ok(images), ..repository("app") }])
}

#[test]
fn a_cosign_tag_or_a_signature_referrer_signs() {
    let repo = repository("app");
    let signed = image(&repo, &"a".repeat(64), &["v1"]);
    let signature = image(&repo, &"b".repeat(64), &[&format!("sha256-{}.sig", "a".repeat(64))]);
    let unsigned = image(&repo, &"c".repeat(64), &["v2"]);
    let findings = run(CHECK, &with_images(vec![signed.clone(), signature, unsigned]));
    assert_eq!(findings.len(), 2, "the signature itself is not judged");
    assert_eq!(findings[0].status, Status::Pass);
    assert_eq!(findings[0].resource_id, signed.id);
    assert_eq!(findings[1].status, Status::Fail);

    let mut notation = image(&repo, "d", &["v3"]);
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
