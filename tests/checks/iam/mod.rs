//! IAM (global, once per account): what the emulator cannot show, such as
//! root MFA and root keys, aged and unused access keys, failed IAM calls.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::iam::{AccountSummary, CredentialReport, IamAccount, PasswordPolicy};

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod iam_aws_attached_policy_no_administrative_privileges;
mod iam_customer_attached_policy_no_administrative_privileges;
mod iam_no_root_access_key;
mod iam_password_policy;
mod iam_root_hardware_mfa_enabled;
mod iam_root_mfa_enabled;
mod iam_rotate_access_key_90_days;
mod iam_user_accesskey_unused;
mod iam_user_mfa_enabled_console_access;
// END test modules.

fn with_iam(edit: impl FnOnce(&mut IamAccount)) -> AccountInventory {
    let mut account = account();
    edit(&mut account.iam);
    account
}

fn summary(mfa: i32, keys: i32) -> Collected<AccountSummary> {
    Collected::Ok(AccountSummary { account_mfa_enabled: Some(mfa), account_access_keys_present: Some(keys) })
}

fn report(rows: Vec<bulkhead::inventory::iam::CredentialReportRow>) -> Collected<CredentialReport> {
    Collected::Ok(credential_report(at(NOW), rows))
}

fn iam_denied<T>(operation: &str) -> Collected<T> {
    Collected::Failed(denied(Service::Iam, operation))
}

/// A policy meeting every password policy check.
fn strong_policy() -> PasswordPolicy {
    PasswordPolicy {
        minimum_password_length: Some(14),
        require_symbols: true,
        require_numbers: true,
        require_uppercase_characters: true,
        require_lowercase_characters: true,
        expire_passwords: true,
        max_password_age: Some(90),
        password_reuse_prevention: Some(24),
    }
}

/// `days` days before [`NOW`].
fn days_ago(days: i64) -> jiff::Timestamp {
    at(NOW) - jiff::SignedDuration::from_hours(24 * days)
}
