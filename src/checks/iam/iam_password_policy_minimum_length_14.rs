//! Password policy: minimum length 14 or more (CIS 1.8 in v3.0/v4.0.1, 1.7 in v5.0).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::iam::PasswordPolicy;

pub const CHECK: Check =
    Check { id: "iam_password_policy_minimum_length_14", scope: Scope::PasswordPolicy(judge), reads: &[] };

fn judge(_: &Context<'_>, policy: &PasswordPolicy) -> Verdict {
    match policy.minimum_password_length {
        Some(length) if length >= 14 => pass(format!("requires at least {length} characters")),
        Some(length) => fail(format!("requires only {length} characters (at least 14 needed)")),
        None => fail("sets no minimum length (at least 14 needed)"),
    }
}
