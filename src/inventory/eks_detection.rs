//! Collection of one region's EKS clusters and the services that detect
//! attacks on containers (GuardDuty, Inspector), side by side.

use super::eks::{self, EksRegion};
use super::features;
use super::guardduty::{self, GuardDutyRegion};
use super::inspector2::{self, InspectorRegion};
use super::{AccountTarget, CollectContext, ResourceKind, requested};
use crate::aws::chain;

pub(super) async fn collect(
    ctx: &CollectContext<'_>,
    target: &AccountTarget,
    region: &str,
) -> (EksRegion, GuardDutyRegion, InspectorRegion) {
    futures::join!(
        chain::branch(collect_eks(ctx, target, region)),
        chain::branch(collect_guardduty(ctx, target, region)),
        chain::branch(collect_inspector(ctx, target, region)),
    )
}

async fn collect_eks(ctx: &CollectContext<'_>, target: &AccountTarget, region: &str) -> EksRegion {
    if !ctx.needs.wants(ResourceKind::EksClusters) {
        return EksRegion::default();
    }
    eks::collect(ctx.session, ctx.gate, target, region, ctx.needs).await
}

async fn collect_guardduty(ctx: &CollectContext<'_>, target: &AccountTarget, region: &str) -> GuardDutyRegion {
    if !ctx.needs.wants(ResourceKind::GuardDutyDetectors) {
        return GuardDutyRegion::default();
    }
    let client = ctx.session.client::<aws_sdk_guardduty::Client>(region);
    let detectors = requested(true, guardduty::detectors(&client, ctx.gate, target, region)).await;
    let mut guardduty = GuardDutyRegion { detectors, ..GuardDutyRegion::default() };
    features::settle_guardduty(&mut guardduty);
    guardduty
}

async fn collect_inspector(ctx: &CollectContext<'_>, target: &AccountTarget, region: &str) -> InspectorRegion {
    if !ctx.needs.wants(ResourceKind::InspectorStatus) {
        return InspectorRegion::default();
    }
    let client = ctx.session.client::<aws_sdk_inspector2::Client>(region);
    let account = requested(true, inspector2::account_status(&client, ctx.gate, &target.account_id, region)).await;
    let mut inspector = InspectorRegion { account, ..InspectorRegion::default() };
    features::settle_inspector(&mut inspector);
    inspector
}
