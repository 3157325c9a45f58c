//! Active access keys were rotated within the configured age (default 90 days).

use jiff::Timestamp;

use super::users::{active_keys, age_days};
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::iam::CredentialReportRow;

pub const CHECK: Check = Check { id: "iam_rotate_access_key_90_days", scope: Scope::Users(judge), reads: &[] };

fn judge(ctx: &Context<'_>, row: &CredentialReportRow, now: Timestamp) -> Verdict {
    let max_age = i64::from(ctx.config.access_key_max_age_days);
    let keys = active_keys(row);
    if keys.is_empty() {
        return pass("has no active access key.");
    }
    let mut stale = Vec::new();
    let mut fresh = Vec::new();
    for key in keys {
        match age_days(&key.last_rotated, now) {
            None => {
                return unknown(format!(
                    "the credential report gives no rotation date for active access key {} ({:?})",
                    key.slot, key.last_rotated.text
                ));
            }
            Some(days) if days > max_age => {
                stale.push(format!("access key {} was last rotated {days} days ago", key.slot))
            }
            Some(days) => fresh.push(format!("access key {} was rotated {days} days ago", key.slot)),
        }
    }
    if stale.is_empty() {
        pass(format!("rotated every active access key within {max_age} days: {}.", fresh.join(", ")))
    } else {
        fail(format!("has active access keys older than {max_age} days: {}.", stale.join(", ")))
    }
}
