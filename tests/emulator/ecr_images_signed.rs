use crate::support::{Account, text};

const CHECK: &str = "ecr_images_signed";

#[test]
fn every_kind_of_signature_passes_and_unsigned_images_fail() {
    require_emulator!();
    let account = Account::seeded(CHECK);
    let scan = account.scan(&["--checks", CHECK]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    // The cosign-tag path.
    let cosign = scan.finding_mentioning(CHECK, "tags: cosign-signed");
    assert_eq!(cosign["status"], "PASS");
    assert!(text(&cosign["message"]).contains("cosign signature (tag"), "{cosign}");
    // The referrer path: the listing shows a referrer without its type, so
    // the collector asks ListImageReferrers (the emulator extension).
    let notation = scan.finding_mentioning(CHECK, "tags: notation-signed");
    assert_eq!(notation["status"], "PASS");
    assert!(text(&notation["message"]).contains("Notation / AWS Signer"), "{notation}");
    let bundle = scan.finding_mentioning(CHECK, "tags: bundle-signed");
    assert_eq!(bundle["status"], "PASS");
    assert!(text(&bundle["message"]).contains("sigstore bundle"), "{bundle}");

    assert_eq!(scan.status_of(CHECK, "tags: unsigned"), "FAIL");
    assert_eq!(scan.status_of(CHECK, "tags: v2"), "PASS");
    assert_eq!(scan.status_of(CHECK, "tags: v1"), "FAIL");

    // Signature artifacts are not images that need a signature themselves.
    let eu = scan.statuses(CHECK, "eu-west-1");
    assert_eq!(eu.len(), 4, "{eu:#?}");
    for resource_id in eu.keys() {
        let (repository, digest) = resource_id.split_once('@').unwrap();
        assert_eq!(repository, "payments-api");
        assert!(digest.starts_with("sha256:") && digest.len() == 71, "{resource_id}");
    }
    assert_eq!(scan.statuses(CHECK, "us-east-1").len(), 2);
}
