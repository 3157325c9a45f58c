//! Password policy: the last 24 passwords cannot be reused (CIS 1.9 in v3.0/v4.0.1, 1.8 in v5.0).

use super::password_policy::{self, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "iam_password_policy_reuse_24", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    password_policy::evaluate(ctx, out, |policy| match policy.password_reuse_prevention {
        Some(count) if count >= 24 => Ok(format!("prevents reuse of the last {count} passwords")),
        Some(count) => Err(format!("prevents reuse of only the last {count} passwords (24 needed)")),
        None => Err("does not prevent password reuse (24 needed)".to_owned()),
    });
}
