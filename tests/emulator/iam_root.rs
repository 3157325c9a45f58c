//! Root user checks against the emulator. moto's GetAccountSummary always
//! reports AccountMFAEnabled 0 and AccountAccessKeysPresent 0, and its
//! credential report has no root row, so the emulator shows root MFA FAIL and
//! root key PASS; the other verdicts are unit-tested on inventory built in
//! code (src/checks/iam/tests.rs).

use crate::support::Account;

#[test]
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
