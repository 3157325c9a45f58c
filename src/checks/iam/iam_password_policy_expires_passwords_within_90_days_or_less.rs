//! Password policy: passwords expire within 90 days or less.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::iam::PasswordPolicy;

pub const CHECK: Check = Check {
    id: "iam_password_policy_expires_passwords_within_90_days_or_less",
    scope: Scope::PasswordPolicy(judge),
    reads: &[],
};

fn judge(_: &Context<'_>, policy: &PasswordPolicy) -> Verdict {
    match policy.max_password_age {
        Some(days) if policy.expire_passwords && (1..=90).contains(&days) => {
            pass(format!("expires passwords after {days} days"))
        }
        Some(days) if policy.expire_passwords && days > 0 => {
            fail(format!("expires passwords only after {days} days (90 or less needed)"))
        }
        _ => fail("does not expire passwords (90 days or less needed)"),
    }
}
