//! Active access keys were rotated within the configured age (default 90 days).

use super::users::{self, Judgement, NEEDS, active_keys, age_days};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "iam_rotate_access_key_90_days", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let max_age = i64::from(ctx.config.access_key_max_age_days);
    users::evaluate(ctx, out, |row, now| {
        let keys = active_keys(row);
        if keys.is_empty() {
            return Judgement::Pass("has no active access key.".into());
        }
        let mut stale = Vec::new();
        let mut fresh = Vec::new();
        for key in keys {
            match age_days(&key.last_rotated, now) {
                None => {
                    return Judgement::Error(format!(
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
            Judgement::Pass(format!("rotated every active access key within {max_age} days: {}.", fresh.join(", ")))
        } else {
            Judgement::Fail(format!("has active access keys older than {max_age} days: {}.", stale.join(", ")))
        }
    });
}
