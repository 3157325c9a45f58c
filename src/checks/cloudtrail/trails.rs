//! The walk every per-trail CloudTrail check shares: one ERROR per region
//! whose trail listing failed, then each distinct trail once, reported in
//! its home region.

use crate::checks::{Context, Findings};
use crate::inventory::cloudtrail::Trail;

pub fn each(ctx: &Context<'_>, out: &mut Findings<'_>, mut judge: impl FnMut(&Trail, &mut Findings<'_>)) {
    for (region, inventory) in &ctx.account.regions {
        if let Err(why) = inventory.cloudtrail.trail_arns.get() {
            out.scope_error("cloudtrail", region, "trail/*", why);
        }
    }
    for trail in ctx.account.trails.values() {
        judge(trail, out);
    }
}

/// `trail NAME` or `multi-region trail NAME`, for messages.
pub fn describe(trail: &Trail) -> String {
    if trail.multi_region { format!("Multi-region trail {}", trail.name) } else { format!("Trail {}", trail.name) }
}
