//! The root user has MFA (CIS 1.5 in v3.0/v4.0.1, 1.4 in v5.0).

use super::root::{ROOT_ID, root_arn, root_mfa};
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check = Check {
    id: "iam_root_mfa_enabled",
    needs: &[ResourceKind::IamAccountSummary, ResourceKind::IamCredentialReport],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let iam = &ctx.account.iam;
    let finding = out.resource(&iam.region, ROOT_ID, root_arn(ctx));
    match root_mfa(iam) {
        Ok((true, source)) => finding.pass(format!("The root user has MFA enabled ({source}).")),
        Ok((false, source)) => finding.fail(format!("The root user has no MFA device ({source}).")),
        Err(why) => finding.error(format!("Could not tell whether the root user has MFA: {why}")),
    }
}
