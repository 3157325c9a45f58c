//! GuardDuty Runtime Monitoring watches EKS nodes with its agent managed
//! automatically (the EKS add-on), in every region (FSBP GuardDuty.7).

use super::plans;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::guardduty::Detector;

pub const CHECK: Check =
    Check { id: "guardduty_eks_runtime_monitoring_enabled", scope: Scope::GuardDuty(judge), reads: &[] };

fn judge(_: &Context<'_>, detectors: &[Detector]) -> Verdict {
    plans::judge(detectors, |details| {
        plans::runtime_with_agent(details, Some("EKS_RUNTIME_MONITORING"), "EKS_ADDON_MANAGEMENT")
    })
}
