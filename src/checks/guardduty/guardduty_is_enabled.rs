//! Every region has an enabled GuardDuty detector (FSBP GuardDuty.1).

use super::plans;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::guardduty::Detector;

pub const CHECK: Check = Check { id: "guardduty_is_enabled", scope: Scope::GuardDuty(judge), reads: &[] };

fn judge(_: &Context<'_>, detectors: &[Detector]) -> Verdict {
    plans::judge(detectors, |_| Ok("watching the account".to_owned()))
}
