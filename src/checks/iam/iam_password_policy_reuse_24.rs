//! Password policy: the last 24 passwords cannot be reused (CIS 1.9 in v3.0/v4.0.1, 1.8 in v5.0).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::iam::PasswordPolicy;

pub const CHECK: Check = Check { id: "iam_password_policy_reuse_24", scope: Scope::PasswordPolicy(judge), reads: &[] };

fn judge(_: &Context<'_>, policy: &PasswordPolicy) -> Verdict {
    match policy.password_reuse_prevention {
        Some(count) if count >= 24 => pass(format!("prevents reuse of the last {count} passwords")),
        Some(count) => fail(format!("prevents reuse of only the last {count} passwords (24 needed)")),
        None => fail("does not prevent password reuse (24 needed)"),
    }
}
