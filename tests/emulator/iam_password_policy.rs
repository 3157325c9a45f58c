//! Password policy checks: no policy, a weak one, a strong one.

use crate::support::{Account, text};

const CHECKS: [&str; 7] = [
    "iam_password_policy_minimum_length_14",
    "iam_password_policy_reuse_24",
    "iam_password_policy_uppercase",
    "iam_password_policy_lowercase",
    "iam_password_policy_number",
    "iam_password_policy_symbol",
    "iam_password_policy_expires_passwords_within_90_days_or_less",
];

fn verdicts(fixture: &str) -> Vec<(String, String)> {
    let account = Account::seeded(fixture);
    let scan = account.scan(&["--checks", &CHECKS.join(",")]);
    CHECKS
        .iter()
        .map(|check| {
            let findings = scan.findings(check);
            assert_eq!(findings.len(), 1, "{check}: {findings:#?}");
            (text(&findings[0]["status"]), text(&findings[0]["message"]))
        })
        .collect()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn no_policy_at_all_fails_every_check_clearly() {
    for (status, message) in verdicts("empty") {
        assert_eq!(status, "FAIL");
        assert!(message.contains("no IAM password policy at all"), "{message}");
    }
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn weak_settings_fail_and_strong_ones_pass() {
    let weak: Vec<String> = verdicts("iam_password_policy_weak").into_iter().map(|(status, _)| status).collect();
    // length 8, reuse 5, uppercase yes, lowercase no, numbers yes, symbols no, expiry 180 days
    assert_eq!(weak, ["FAIL", "FAIL", "PASS", "FAIL", "PASS", "FAIL", "FAIL"]);
    for (status, message) in verdicts("iam_password_policy_strong") {
        assert_eq!(status, "PASS", "{message}");
    }
}
