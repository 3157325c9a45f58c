//! Attached AWS managed policies do not allow "*" on "*" (AdministratorAccess).

use super::admin_policies::{self, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "iam_aws_attached_policy_no_administrative_privileges", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    admin_policies::evaluate(ctx, out, &ctx.account.iam.aws_policies, "AWS managed");
}
