//! Users with a console password have MFA.

use super::users::{self, Judgement, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "iam_user_mfa_enabled_console_access", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    users::evaluate(ctx, out, |row, _| match (row.password_enabled, row.mfa_active) {
        (false, _) => Judgement::Pass("has no console password.".into()),
        (true, true) => Judgement::Pass("has a console password and MFA.".into()),
        (true, false) => Judgement::Fail("has a console password but no MFA device.".into()),
    });
}
