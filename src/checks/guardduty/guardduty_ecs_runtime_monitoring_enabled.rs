//! GuardDuty Runtime Monitoring watches ECS on Fargate with its agent
//! managed automatically, in every region (FSBP GuardDuty.12).

use super::plans;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::guardduty::Detector;

pub const CHECK: Check =
    Check { id: "guardduty_ecs_runtime_monitoring_enabled", scope: Scope::GuardDuty(judge), reads: &[] };

fn judge(_: &Context<'_>, detectors: &[Detector]) -> Verdict {
    plans::judge(detectors, |details| plans::runtime_with_agent(details, None, "ECS_FARGATE_AGENT_MANAGEMENT"))
}
