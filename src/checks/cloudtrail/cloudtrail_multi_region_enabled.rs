//! One finding per region: PASS only when a trail that is logging now and
//! records management events covers the region.

use crate::checks::verdict::Parts;
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::cloudtrail::Trail;
use crate::rules::trail_events::records_management_events;
use crate::severity::Status;

pub const CHECK: Check =
    Check { id: "cloudtrail_multi_region_enabled", scope: Scope::TrailCoverage(judge), reads: &[] };

fn judge(_: &Context<'_>, region: &str, trails: &[&Trail]) -> Verdict {
    let parts: Parts = trails.iter().map(|trail| coverage(trail, region)).collect();
    match parts.any() {
        Status::Pass => pass(format!(
            "Region {region} is covered by {}, which is logging and records management events.",
            parts.passed[0]
        )),
        Status::Error => {
            unknown(format!("Could not tell whether region {region} is covered: {}", parts.unknown.join("; ")))
        }
        Status::Fail => {
            let detail =
                if parts.failed.is_empty() { "no trail applies to it".to_owned() } else { parts.failed.join("; ") };
            fail(format!("Region {region} is not covered by a logging trail that records management events: {detail}."))
        }
    }
}

/// How one trail stands for one region: PASS naming the trail when it
/// covers the region.
fn coverage(trail: &Trail, region: &str) -> Verdict {
    if !trail.multi_region && trail.home_region != region {
        return fail(format!("trail {} is a single-region trail of {}", trail.name, trail.home_region));
    }
    let logging = match trail.status.get() {
        Ok(status) => status.is_logging,
        Err(why) => return unknown(format!("the status of trail {} is unknown: {why}", trail.name)),
    };
    let management = match records_management_events(trail) {
        Ok(management) => management,
        Err(why) => {
            return unknown(format!("the event selectors of trail {} are unknown: {why}", trail.name));
        }
    };
    match (logging, management) {
        (true, true) if trail.multi_region => {
            pass(format!("multi-region trail {} (home region {})", trail.name, trail.home_region))
        }
        (true, true) => pass(format!("trail {}", trail.name)),
        (false, _) => fail(format!("trail {} is not logging", trail.name)),
        (true, false) => fail(format!("trail {} records no management events", trail.name)),
    }
}
