//! One finding per region: PASS only when a multi-region trail that is
//! logging now records both read and write management events (classic or
//! advanced event selectors).

use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;
use crate::inventory::cloudtrail::Trail;
use crate::rules::trail_events::records_read_and_write_management_events;

pub const CHECK: Check = Check {
    id: "cloudtrail_multi_region_enabled_logging_management_events",
    needs: &[ResourceKind::CloudTrailTrails],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let account = ctx.account;
    for (region, arns) in out.per_region(account, "cloudtrail", "trail/*", |region| &region.cloudtrail.trail_arns) {
        let trails: Vec<&Trail> =
            arns.iter().filter_map(|arn| account.trails.get(arn)).filter(|trail| trail.multi_region).collect();
        let mut reasons = Vec::new();
        let mut unknown = Vec::new();
        let mut covering = None;
        for trail in trails {
            let logging = trail.status.get().map(|status| status.is_logging);
            let both = records_read_and_write_management_events(trail);
            match (logging, both) {
                (Ok(true), Ok(true)) => {
                    covering = Some(trail);
                    break;
                }
                (Err(why), _) => unknown.push(format!("the status of trail {} is unknown: {why}", trail.name)),
                (_, Err(why)) => {
                    unknown.push(format!("the event selectors of trail {} are unknown: {why}", trail.name))
                }
                (Ok(false), _) => reasons.push(format!("trail {} is not logging", trail.name)),
                (Ok(true), Ok(false)) => {
                    reasons.push(format!("trail {} does not record both read and write management events", trail.name))
                }
            }
        }
        if let Some(trail) = covering {
            out.resource(region, region, &trail.arn).pass(format!(
                "Region {region} is covered by multi-region trail {} (home region {}), which is logging read and write management events.",
                trail.name, trail.home_region
            ));
            continue;
        }
        let arn = account.arn("cloudtrail", region, "trail");
        if !unknown.is_empty() {
            out.resource(region, region, arn)
                .error(format!("Could not tell whether region {region} is covered: {}", unknown.join("; ")));
            continue;
        }
        let detail =
            if reasons.is_empty() { "no multi-region trail applies to it".to_owned() } else { reasons.join("; ") };
        out.resource(region, region, arn).fail(format!(
            "Region {region} has no logging multi-region trail recording read and write management events: {detail}."
        ));
    }
}
