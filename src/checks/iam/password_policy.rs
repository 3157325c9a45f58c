//! The shared judgement of the password policy checks: one finding per
//! account, FAIL when the account has no policy at all.

use crate::checks::{Context, Findings};
use crate::inventory::ResourceKind;
use crate::inventory::iam::PasswordPolicy;

pub const NEEDS: &[ResourceKind] = &[ResourceKind::IamPasswordPolicy];

/// `judge` returns `Ok(why it passes)` or `Err(why it fails)`.
pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, judge: impl Fn(&PasswordPolicy) -> Result<String, String>) {
    let iam = &ctx.account.iam;
    let arn = format!("arn:{}:iam::{}:account-password-policy", ctx.account.partition, ctx.account.account_id);
    let finding = out.resource(&iam.region, "password-policy", arn);
    match iam.password_policy.get() {
        Err(why) => finding.error(format!("Could not read the account password policy: {why}")),
        Ok(None) => finding.fail(
            "The account has no IAM password policy at all (GetAccountPasswordPolicy: NoSuchEntity), so IAM's weak defaults apply.",
        ),
        Ok(Some(policy)) => match judge(policy) {
            Ok(why) => finding.pass(format!("The password policy {why}.")),
            Err(why) => finding.fail(format!("The password policy {why}.")),
        },
    }
}

/// A `require_*` flag check.
pub fn requires(flag: bool, class: &str) -> Result<String, String> {
    if flag { Ok(format!("requires at least one {class}")) } else { Err(format!("does not require a {class}")) }
}
