use crate::call_stats::calls_by_operation;
use crate::support::{Account, text};

const CHECK: &str = "ecr_images_signed";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_kind_of_signature_passes_and_unsigned_images_fail() {
    let account = Account::seeded(CHECK);
    let scan = account.scan(&["--checks", CHECK, "--stats"]);
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

    let unsigned = scan.finding_mentioning(CHECK, "tags: unsigned");
    assert_eq!(unsigned["status"], "FAIL");
    assert!(text(&unsigned["message"]).contains("ECR managed signing is not configured"), "{unsigned}");
    assert_eq!(scan.status_of(CHECK, "tags: v2"), "PASS");

    // ECR managed signing: a rule covers release/*, not web-frontend.
    let managed = scan.finding_mentioning(CHECK, "tags: managed-signed");
    assert_eq!(managed["status"], "PASS");
    let message = text(&managed["message"]);
    assert!(message.contains("ECR managed signing reports its signing status COMPLETE"), "{managed}");
    assert!(message.contains("/signing-profiles/release_images"), "{managed}");
    assert!(message.contains("not a cryptographic verification"), "{managed}");
    let cosign_in_covered = scan.finding_mentioning(CHECK, "tags: managed-and-cosign");
    assert_eq!(cosign_in_covered["status"], "PASS");
    assert!(text(&cosign_in_covered["message"]).contains("cosign signature (tag"), "{cosign_in_covered}");
    let uncovered = scan.finding_mentioning(CHECK, "tags: v1");
    assert_eq!(uncovered["status"], "FAIL");
    assert!(
        text(&uncovered["message"]).contains("no ECR managed signing rule covers repository web-frontend"),
        "{uncovered}"
    );

    // Signature artifacts are not images that need a signature themselves.
    let eu = scan.statuses(CHECK, "eu-west-1");
    assert_eq!(eu.len(), 4, "{eu:#?}");
    for resource_id in eu.keys() {
        let (repository, digest) = resource_id.split_once('@').unwrap();
        assert_eq!(repository, "payments-api");
        assert!(digest.starts_with("sha256:") && digest.len() == 71, "{resource_id}");
    }
    assert_eq!(scan.statuses(CHECK, "us-east-1").len(), 4);

    // One signing configuration per region; a status only for the covered
    // image that no stored signature settles.
    let calls = calls_by_operation(&scan.report);
    assert_eq!(calls.get("ecr:GetSigningConfiguration"), Some(&3), "{calls:#?}");
    assert_eq!(calls.get("ecr:DescribeImageSigningStatus"), Some(&1), "{calls:#?}");
}
