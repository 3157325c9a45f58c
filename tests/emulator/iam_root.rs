//! Root user checks against the emulator. moto's GetAccountSummary reports
//! AccountMFAEnabled 0 and AccountAccessKeysPresent 0 unless the seeder sets
//! them through localstack/server.py's test-bed control (`iam.root` in a
//! fixture), and its credential report has no root row.

use crate::support::Account;

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn root_checks_read_the_account_summary() {
    let account = Account::seeded("iam_users");
    let scan = account.scan(&["--checks", "iam_root_mfa_enabled,iam_root_hardware_mfa_enabled,iam_no_root_access_key"]);
    for (check, status) in [
        ("iam_root_mfa_enabled", "FAIL"),
        ("iam_root_hardware_mfa_enabled", "FAIL"),
        ("iam_no_root_access_key", "PASS"),
    ] {
        let findings = scan.findings(check);
        assert_eq!(findings.len(), 1, "one finding per account, not per region: {findings:#?}");
        assert_eq!(findings[0]["status"], status, "{check}: {}", findings[0]);
        assert_eq!(findings[0]["resource_id"], "<root_account>");
        assert_eq!(findings[0]["resource_arn"], format!("arn:aws:iam::{}:root", account.id));
        assert_eq!(findings[0]["region"], "us-east-1", "global calls go to the home region");
    }
    assert!(scan.finding_mentioning("iam_root_mfa_enabled", "AccountMFAEnabled")["status"] == "FAIL");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn root_mfa_kind_and_root_key_from_the_account_summary_and_mfa_devices() {
    let checks = "iam_root_mfa_enabled,iam_root_hardware_mfa_enabled,iam_no_root_access_key";
    let status = |scan: &crate::support::Scan, check: &str| scan.findings(check)[0]["status"].clone();

    let virtual_mfa = Account::seeded("iam_root/virtual_mfa_and_key").scan(&["--checks", checks]);
    assert_eq!(status(&virtual_mfa, "iam_root_mfa_enabled"), "PASS");
    assert_eq!(status(&virtual_mfa, "iam_root_hardware_mfa_enabled"), "FAIL", "a virtual device is not hardware");
    assert_eq!(status(&virtual_mfa, "iam_no_root_access_key"), "FAIL");

    let hardware = Account::seeded("iam_root/hardware_mfa").scan(&["--checks", checks]);
    for check in checks.split(',') {
        assert_eq!(status(&hardware, check), "PASS", "{check}");
    }
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn access_key_age_and_use_from_the_credential_report() {
    let account = Account::seeded("iam_root/virtual_mfa_and_key");
    let scan = account.scan(&["--checks", "iam_rotate_access_key_90_days,iam_user_accesskey_unused"]);
    for check in ["iam_rotate_access_key_90_days", "iam_user_accesskey_unused"] {
        assert_eq!(scan.status_of(check, "old-key"), "FAIL", "{check}");
        assert_eq!(scan.status_of(check, "new-key"), "PASS", "{check}");
    }
}
