//! What the emulator cannot show: root MFA and root keys present, aged and
//! unused access keys, failed IAM calls. Inventory built in code, checks run
//! as in a scan.

use std::collections::BTreeMap;

use crate::aws::{CollectError, ErrorKind, Service};
use crate::checks::registry::find;
use crate::checks::{Context, Finding};
use crate::config::Config;
use crate::inventory::iam::{
    AccessKeyReport, AccountSummary, CredentialReport, CredentialReportRow, IamAccount, ROOT_ROW, ReportDate,
    VirtualMfaDevice,
};
use crate::inventory::{AccountInventory, Collected};
use crate::severity::Status;

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;

fn account(iam: IamAccount) -> AccountInventory {
    AccountInventory {
        account_id: "111122223333".into(),
        partition: "aws".into(),
        regions: BTreeMap::new(),
        trails: BTreeMap::new(),
        iam,
    }
}

fn run(check: &str, iam: IamAccount) -> Vec<Finding> {
    let account = account(iam);
    let config = Config::default();
    find(check).unwrap().run(&Context { account: &account, config: &config, now_epoch_seconds: 0 })
}

fn status(check: &str, iam: IamAccount) -> Status {
    let findings = run(check, iam);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    findings[0].status
}

fn iam() -> IamAccount {
    IamAccount { region: "us-east-1".into(), ..IamAccount::default() }
}

fn summary(mfa: i32, keys: i32) -> Collected<AccountSummary> {
    Collected::Ok(AccountSummary { account_mfa_enabled: Some(mfa), account_access_keys_present: Some(keys) })
}

fn failed(operation: &str) -> CollectError {
    CollectError::new(Service::Iam, operation, "us-east-1", ErrorKind::AccessDenied, "AccessDenied: no")
}

fn date(days_ago: Option<i64>) -> ReportDate {
    match days_ago {
        Some(days) => ReportDate { text: format!("{days} days ago"), epoch: Some(NOW - days * DAY) },
        None => ReportDate { text: "N/A".into(), epoch: None },
    }
}

fn key(slot: u8, active: bool, rotated_days_ago: i64, used_days_ago: Option<i64>) -> AccessKeyReport {
    AccessKeyReport { slot, active, last_rotated: date(Some(rotated_days_ago)), last_used: date(used_days_ago) }
}

fn row(user: &str, keys: Vec<AccessKeyReport>) -> CredentialReportRow {
    CredentialReportRow {
        user: user.into(),
        arn: format!("arn:aws:iam::111122223333:user/{user}"),
        password_enabled: false,
        mfa_active: false,
        access_keys: keys,
    }
}

fn report(rows: Vec<CredentialReportRow>) -> Collected<CredentialReport> {
    Collected::Ok(CredentialReport { generated_at: None, fetched_at: NOW, rows })
}

#[test]
fn root_mfa_from_the_summary_or_the_root_row() {
    assert_eq!(status("iam_root_mfa_enabled", IamAccount { summary: summary(1, 0), ..iam() }), Status::Pass);
    assert_eq!(status("iam_root_mfa_enabled", IamAccount { summary: summary(0, 0), ..iam() }), Status::Fail);
    let mut root = row(ROOT_ROW, vec![]);
    root.mfa_active = true;
    let fallback = IamAccount {
        summary: Collected::Failed(failed("GetAccountSummary")),
        credential_report: report(vec![root]),
        ..iam()
    };
    assert_eq!(status("iam_root_mfa_enabled", fallback), Status::Pass);
    // Neither source: ERROR, never PASS.
    let unknown = IamAccount {
        summary: Collected::Failed(failed("GetAccountSummary")),
        credential_report: report(vec![]),
        ..iam()
    };
    assert_eq!(status("iam_root_mfa_enabled", unknown), Status::Error);
}

#[test]
fn root_hardware_mfa_means_no_virtual_device_on_root() {
    let virtual_root = VirtualMfaDevice {
        serial_number: "arn:aws:iam::111122223333:mfa/root-account-mfa-device".into(),
        user_arn: Some("arn:aws:iam::111122223333:root".into()),
        enabled: true,
    };
    let user_device = VirtualMfaDevice {
        serial_number: "arn:aws:iam::111122223333:mfa/alice".into(),
        user_arn: Some("arn:aws:iam::111122223333:user/alice".into()),
        enabled: true,
    };
    let with = |devices| IamAccount { summary: summary(1, 0), virtual_mfa_devices: Collected::Ok(devices), ..iam() };
    assert_eq!(status("iam_root_hardware_mfa_enabled", with(vec![virtual_root, user_device.clone()])), Status::Fail);
    assert_eq!(status("iam_root_hardware_mfa_enabled", with(vec![user_device])), Status::Pass);
    let unknown = IamAccount {
        summary: summary(1, 0),
        virtual_mfa_devices: Collected::Failed(failed("ListVirtualMFADevices")),
        ..iam()
    };
    assert_eq!(status("iam_root_hardware_mfa_enabled", unknown), Status::Error);
}

#[test]
fn root_access_key_from_the_summary_or_the_root_row() {
    assert_eq!(status("iam_no_root_access_key", IamAccount { summary: summary(0, 1), ..iam() }), Status::Fail);
    let root_row_key = IamAccount {
        summary: Collected::Failed(failed("GetAccountSummary")),
        credential_report: report(vec![row(ROOT_ROW, vec![key(1, false, 1, None), key(2, true, 400, Some(3))])]),
        ..iam()
    };
    let findings = run("iam_no_root_access_key", root_row_key);
    assert_eq!(findings[0].status, Status::Fail);
    assert!(findings[0].message.contains("access_key_2"), "{}", findings[0].message);
    let unknown = IamAccount {
        summary: Collected::Failed(failed("GetAccountSummary")),
        credential_report: Collected::Failed(failed("GetCredentialReport")),
        ..iam()
    };
    assert_eq!(status("iam_no_root_access_key", unknown), Status::Error);
}

#[test]
fn key_age_and_use_are_measured_from_the_fetch_time() {
    let users = report(vec![
        row("old-key", vec![key(1, true, 91, Some(1))]),
        row("fresh-key", vec![key(1, true, 90, Some(1))]),
        row("old-but-inactive", vec![key(1, false, 400, None)]),
        row("idle-key", vec![key(1, true, 60, Some(46))]),
        row("never-used-old", vec![key(1, true, 46, None)]),
        row("never-used-new", vec![key(1, true, 45, None)]),
    ]);
    let statuses = |check: &str| -> BTreeMap<String, Status> {
        run(check, IamAccount { credential_report: users.clone(), ..iam() })
            .into_iter()
            .map(|finding| (finding.resource_id, finding.status))
            .collect()
    };
    let rotate = statuses("iam_rotate_access_key_90_days");
    assert_eq!(rotate["old-key"], Status::Fail);
    assert_eq!(rotate["fresh-key"], Status::Pass, "90 days is within 90 days");
    assert_eq!(rotate["old-but-inactive"], Status::Pass, "inactive keys do not count");
    let unused = statuses("iam_user_accesskey_unused");
    assert_eq!(unused["idle-key"], Status::Fail);
    assert_eq!(unused["never-used-old"], Status::Fail, "never used, created 46 days ago");
    assert_eq!(unused["never-used-new"], Status::Pass);
    assert_eq!(unused["old-key"], Status::Pass, "used yesterday");
}

#[test]
fn thresholds_come_from_the_config() {
    let account = account(IamAccount {
        credential_report: report(vec![row("key-31-days", vec![key(1, true, 31, Some(31))])]),
        ..iam()
    });
    let config = Config { access_key_max_age_days: 30, access_key_unused_days: 30, ..Config::default() };
    for check in ["iam_rotate_access_key_90_days", "iam_user_accesskey_unused"] {
        let findings = find(check).unwrap().run(&Context { account: &account, config: &config, now_epoch_seconds: 0 });
        assert_eq!(findings[0].status, Status::Fail, "{check}");
    }
}

#[test]
fn failed_iam_calls_are_errors_never_passes() {
    let broken = IamAccount {
        password_policy: Collected::Failed(failed("GetAccountPasswordPolicy")),
        credential_report: Collected::Failed(failed("GenerateCredentialReport")),
        customer_policies: Collected::Failed(failed("ListPolicies")),
        ..iam()
    };
    for check in [
        "iam_password_policy_minimum_length_14",
        "iam_user_mfa_enabled_console_access",
        "iam_customer_attached_policy_no_administrative_privileges",
    ] {
        assert_eq!(status(check, broken.clone()), Status::Error, "{check}");
    }
    // No policy at all is an answer, not an error.
    assert_eq!(
        status("iam_password_policy_symbol", IamAccount { password_policy: Collected::Ok(None), ..iam() }),
        Status::Fail
    );
}
