//! GuardDuty reads the EKS audit logs in every region (EKS Protection,
//! FSBP GuardDuty.5).

use super::plans;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::guardduty::Detector;

pub const CHECK: Check = Check { id: "guardduty_eks_audit_log_enabled", scope: Scope::GuardDuty(judge), reads: &[] };

fn judge(_: &Context<'_>, detectors: &[Detector]) -> Verdict {
    plans::judge(detectors, |details| match details.feature("EKS_AUDIT_LOGS") {
        Some(feature) if feature.is_enabled() => Ok("with EKS audit log monitoring (EKS_AUDIT_LOGS) on".to_owned()),
        _ => Err(plans::feature_status(details, "EKS_AUDIT_LOGS")),
    })
}
