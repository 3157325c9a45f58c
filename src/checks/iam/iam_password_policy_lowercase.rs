//! Password policy: at least one lowercase letter is required.

use super::password_policy::{self, NEEDS, requires};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "iam_password_policy_lowercase", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    password_policy::evaluate(ctx, out, |policy| requires(policy.require_lowercase_characters, "lowercase letter"));
}
