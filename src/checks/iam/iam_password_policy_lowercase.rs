//! Password policy: at least one lowercase letter is required.

use super::password_policy::requires;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::iam::PasswordPolicy;

pub const CHECK: Check = Check { id: "iam_password_policy_lowercase", scope: Scope::PasswordPolicy(judge), reads: &[] };

fn judge(_: &Context<'_>, policy: &PasswordPolicy) -> Verdict {
    requires(policy.require_lowercase_characters, "lowercase letter")
}
