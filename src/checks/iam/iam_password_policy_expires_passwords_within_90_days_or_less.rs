//! Password policy: passwords expire within 90 days or less.

use super::password_policy::{self, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check =
    Check { id: "iam_password_policy_expires_passwords_within_90_days_or_less", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    password_policy::evaluate(ctx, out, |policy| match policy.max_password_age {
        Some(days) if policy.expire_passwords && (1..=90).contains(&days) => {
            Ok(format!("expires passwords after {days} days"))
        }
        Some(days) if policy.expire_passwords && days > 0 => {
            Err(format!("expires passwords only after {days} days (90 or less needed)"))
        }
        _ => Err("does not expire passwords (90 days or less needed)".to_owned()),
    });
}
