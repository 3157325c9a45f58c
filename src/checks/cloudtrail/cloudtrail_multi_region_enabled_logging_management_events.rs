//! One finding per region: PASS only when a multi-region trail that is
//! logging now records both read and write management events (classic or
//! advanced event selectors).

use crate::checks::verdict::Parts;
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::cloudtrail::Trail;
use crate::rules::trail_events::records_read_and_write_management_events;
use crate::severity::Status;

pub const CHECK: Check = Check {
    id: "cloudtrail_multi_region_enabled_logging_management_events",
    scope: Scope::TrailCoverage(judge),
    reads: &[],
};

fn judge(_: &Context<'_>, region: &str, trails: &[&Trail]) -> Verdict {
    let parts: Parts = trails.iter().filter(|trail| trail.multi_region).map(|trail| records(trail)).collect();
    match parts.any() {
        Status::Pass => pass(format!(
            "Region {region} is covered by {}, which is logging read and write management events.",
            parts.passed[0]
        )),
        Status::Error => {
            unknown(format!("Could not tell whether region {region} is covered: {}", parts.unknown.join("; ")))
        }
        Status::Fail => {
            let detail = if parts.failed.is_empty() {
                "no multi-region trail applies to it".to_owned()
            } else {
                parts.failed.join("; ")
            };
            fail(format!(
                "Region {region} has no logging multi-region trail recording read and write management events: {detail}."
            ))
        }
    }
}

/// How one multi-region trail stands: PASS naming the trail when it is
/// logging read and write management events.
fn records(trail: &Trail) -> Verdict {
    let logging = trail.status.get().map(|status| status.is_logging);
    match (logging, records_read_and_write_management_events(trail)) {
        (Ok(true), Ok(true)) => pass(format!("multi-region trail {} (home region {})", trail.name, trail.home_region)),
        (Err(why), _) => unknown(format!("the status of trail {} is unknown: {why}", trail.name)),
        (_, Err(why)) => unknown(format!("the event selectors of trail {} are unknown: {why}", trail.name)),
        (Ok(false), _) => fail(format!("trail {} is not logging", trail.name)),
        (Ok(true), Ok(false)) => {
            fail(format!("trail {} does not record both read and write management events", trail.name))
        }
    }
}
