//! Trail settings: read and write management events on a multi-region
//! trail, log file validation, KMS encryption, CloudWatch Logs delivery.

use crate::support::{Account, text};

const MANAGEMENT: &str = "cloudtrail_multi_region_enabled_logging_management_events";
const VALIDATION: &str = "cloudtrail_log_file_validation_enabled";
const KMS: &str = "cloudtrail_kms_encryption_enabled";
const CLOUDWATCH: &str = "cloudtrail_cloudwatch_logging_enabled";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_hardened_trail_passes_and_a_bare_one_fails() {
    let account = Account::seeded("cloudtrail_catalog/hardened_and_bare");
    let scan = account.scan(&["--services", "cloudtrail"]);
    for check in [VALIDATION, KMS, CLOUDWATCH] {
        assert_eq!(scan.statuses(check, "eu-west-1")["hardened"], "PASS", "{check}");
        assert_eq!(scan.statuses(check, "us-east-1")["bare"], "FAIL", "{check}");
        assert_eq!(scan.findings(check).len(), 2, "{check}: one finding per trail, not per region");
    }
    // The multi-region trail covers every region, read and write.
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        assert_eq!(scan.statuses(MANAGEMENT, region)[region], "PASS", "{region}");
    }
    let cloudwatch = text(&scan.finding_mentioning(CLOUDWATCH, "Multi-region trail hardened")["message"]);
    assert!(cloudwatch.contains("last delivery"), "{cloudwatch}");
    let kms = text(&scan.finding_mentioning(KMS, "Multi-region trail hardened")["message"]);
    assert!(kms.contains("arn:aws:kms:eu-west-1:"), "{kms}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn write_only_and_stopped_trails_do_not_count() {
    let account = Account::seeded("cloudtrail_catalog/write_only");
    let scan = account.scan(&["--checks", &format!("{MANAGEMENT},{CLOUDWATCH}")]);
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let finding = scan.finding_mentioning(MANAGEMENT, &format!("Region {region}"));
        assert_eq!(finding["status"], "FAIL");
        let message = text(&finding["message"]);
        assert!(
            message.contains("write-only does not record both read and write")
                && message.contains("stopped is not logging"),
            "{message}"
        );
    }
    let stopped = scan.finding_mentioning(CLOUDWATCH, "trail stopped");
    assert_eq!(stopped["status"], "FAIL");
    assert!(text(&stopped["message"]).contains("never delivered"), "{stopped}");
}
