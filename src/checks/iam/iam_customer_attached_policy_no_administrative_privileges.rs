//! Attached customer managed policies do not allow "*" on "*".

use super::admin_policies::{self, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check =
    Check { id: "iam_customer_attached_policy_no_administrative_privileges", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    admin_policies::evaluate(ctx, out, &ctx.account.iam.customer_policies, "Customer managed");
}
