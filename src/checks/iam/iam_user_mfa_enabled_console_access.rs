//! Users with a console password have MFA.

use jiff::Timestamp;

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::iam::CredentialReportRow;

pub const CHECK: Check = Check { id: "iam_user_mfa_enabled_console_access", scope: Scope::Users(judge), reads: &[] };

fn judge(_: &Context<'_>, row: &CredentialReportRow, _: Timestamp) -> Verdict {
    match (row.password_enabled, row.mfa_active) {
        (false, _) => pass("has no console password."),
        (true, true) => pass("has a console password and MFA."),
        (true, false) => fail("has a console password but no MFA device."),
    }
}
