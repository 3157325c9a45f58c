//! The root user has no access key (CIS 1.4 in v3.0/v4.0.1, 1.3 in v5.0).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::iam::IamAccount;

pub const CHECK: Check = Check {
    id: "iam_no_root_access_key",
    scope: Scope::RootUser(judge),
    reads: &[ResourceKind::IamAccountSummary, ResourceKind::IamCredentialReport],
};

fn judge(_: &Context<'_>, iam: &IamAccount) -> Verdict {
    let summary = iam.summary.get().ok().and_then(|summary| summary.account_access_keys_present);
    let report = iam.credential_report.get();
    let root_row = report.as_ref().ok().and_then(|report| report.root());
    let active_in_report: Vec<u8> = root_row
        .map(|row| row.access_keys.iter().filter(|key| key.active).map(|key| key.slot).collect())
        .unwrap_or_default();
    if summary == Some(1) {
        fail("The root user has an access key (GetAccountSummary AccountAccessKeysPresent is 1).")
    } else if !active_in_report.is_empty() {
        let slots: Vec<String> = active_in_report.iter().map(|slot| format!("access_key_{slot}")).collect();
        fail(format!("The root user has an active access key ({} in the credential report).", slots.join(", ")))
    } else if summary == Some(0) || root_row.is_some() {
        let source = if summary == Some(0) {
            "GetAccountSummary AccountAccessKeysPresent is 0"
        } else {
            "credential report root row"
        };
        pass(format!("The root user has no access key ({source})."))
    } else {
        let summary_why = match iam.summary.get() {
            Ok(_) => "GetAccountSummary has no AccountAccessKeysPresent".to_owned(),
            Err(why) => why.to_string(),
        };
        let report_why = match report {
            Ok(_) => "the credential report has no root row".to_owned(),
            Err(why) => why.to_string(),
        };
        unknown(format!("Could not tell whether the root user has an access key: {summary_why}; {report_why}"))
    }
}
