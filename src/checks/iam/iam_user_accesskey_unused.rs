//! Active access keys were used within the configured window (default 45
//! days); a key never used counts from its creation (last rotation).

use jiff::Timestamp;

use super::users::{active_keys, age_days};
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::iam::CredentialReportRow;

pub const CHECK: Check = Check { id: "iam_user_accesskey_unused", scope: Scope::Users(judge), reads: &[] };

fn judge(ctx: &Context<'_>, row: &CredentialReportRow, now: Timestamp) -> Verdict {
    let window = i64::from(ctx.config.access_key_unused_days);
    let keys = active_keys(row);
    if keys.is_empty() {
        return pass("has no active access key.");
    }
    let mut unused = Vec::new();
    let mut used = Vec::new();
    for key in keys {
        let (date, what) = if key.last_used.is_absent() {
            (&key.last_rotated, "never used, created")
        } else {
            (&key.last_used, "last used")
        };
        let Some(days) = age_days(date, now) else {
            return unknown(format!(
                "the credential report gives no usable date for active access key {} ({:?})",
                key.slot, date.text
            ));
        };
        let text = format!("access key {} {what} {days} days ago", key.slot);
        if days > window { unused.push(text) } else { used.push(text) }
    }
    if unused.is_empty() {
        pass(format!("has no active access key unused for more than {window} days: {}.", used.join(", ")))
    } else {
        fail(format!("has active access keys unused for more than {window} days: {}.", unused.join(", ")))
    }
}
