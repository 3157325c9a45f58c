//! Password policy: minimum length 14 or more (CIS 1.8 in v3.0/v4.0.1, 1.7 in v5.0).

use super::password_policy::{self, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "iam_password_policy_minimum_length_14", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    password_policy::evaluate(ctx, out, |policy| match policy.minimum_password_length {
        Some(length) if length >= 14 => Ok(format!("requires at least {length} characters")),
        Some(length) => Err(format!("requires only {length} characters (at least 14 needed)")),
        None => Err("sets no minimum length (at least 14 needed)".to_owned()),
    });
}
