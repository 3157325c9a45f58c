//! Per-user checks (credential report) and attached policies with "*" on "*".
//! moto cannot age access keys, so the emulator shows fresh, never-used keys
//! (PASS); the 90/45-day FAILs are unit-tested on inventory built in code.

use crate::support::Account;

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn users_and_attached_policies() {
    let account = Account::seeded("iam_users");
    let scan = account.scan(&[
        "--checks",
        "iam_user_mfa_enabled_console_access,iam_rotate_access_key_90_days,iam_user_accesskey_unused,\
         iam_customer_attached_policy_no_administrative_privileges,iam_aws_attached_policy_no_administrative_privileges",
    ]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    let mfa = scan.statuses("iam_user_mfa_enabled_console_access", "us-east-1");
    assert_eq!(mfa["alice"], "FAIL", "console password, no MFA");
    assert_eq!(mfa["bob"], "PASS", "console password and a virtual MFA device");
    assert_eq!(mfa["carol"], "PASS", "no console password");
    assert_eq!(mfa.len(), 4, "every user, the root user excepted: {mfa:?}");

    for check in ["iam_rotate_access_key_90_days", "iam_user_accesskey_unused"] {
        let keys = scan.statuses(check, "us-east-1");
        assert_eq!(keys.len(), 4, "{check}: every user, the root user excepted: {keys:?}");
        assert!(keys.values().all(|status| status == "PASS"), "{check}: {keys:?}");
    }
    let carol = scan.finding_mentioning("iam_user_accesskey_unused", "User carol");
    assert!(carol["message"].as_str().unwrap().contains("access key 1 never used"), "{carol}");

    let customer = scan.statuses("iam_customer_attached_policy_no_administrative_privileges", "us-east-1");
    assert_eq!(customer["admin-everything"], "FAIL");
    assert_eq!(customer["read-reports"], "PASS");
    let aws = scan.statuses("iam_aws_attached_policy_no_administrative_privileges", "us-east-1");
    assert_eq!(aws["AdministratorAccess"], "FAIL");
    assert_eq!(aws["ReadOnlyAccess"], "PASS");
    assert_eq!(aws.len(), 2, "only attached AWS managed policies: {aws:?}");
    let admin =
        scan.finding_mentioning("iam_customer_attached_policy_no_administrative_privileges", "admin-everything");
    assert!(admin["message"].as_str().unwrap().contains("statement BreakGlass"), "{admin}");
}
