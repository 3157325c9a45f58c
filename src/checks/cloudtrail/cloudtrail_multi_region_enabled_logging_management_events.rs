//! One finding per region: PASS only when a multi-region trail that is
//! logging now records both read and write management events (classic or
//! advanced event selectors).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::cloudtrail::Trail;
use crate::rules::trail_events::records_read_and_write_management_events;

pub const CHECK: Check = Check {
    id: "cloudtrail_multi_region_enabled_logging_management_events",
    scope: Scope::TrailCoverage(judge),
    reads: &[],
};

fn judge(_: &Context<'_>, region: &str, trails: &[&Trail]) -> Verdict {
    let mut reasons = Vec::new();
    let mut unknowns = Vec::new();
    for trail in trails.iter().filter(|trail| trail.multi_region) {
        let logging = trail.status.get().map(|status| status.is_logging);
        match (logging, records_read_and_write_management_events(trail)) {
            (Ok(true), Ok(true)) => {
                return pass(format!(
                    "Region {region} is covered by multi-region trail {} (home region {}), which is logging read and write management events.",
                    trail.name, trail.home_region
                ));
            }
            (Err(why), _) => unknowns.push(format!("the status of trail {} is unknown: {why}", trail.name)),
            (_, Err(why)) => unknowns.push(format!("the event selectors of trail {} are unknown: {why}", trail.name)),
            (Ok(false), _) => reasons.push(format!("trail {} is not logging", trail.name)),
            (Ok(true), Ok(false)) => {
                reasons.push(format!("trail {} does not record both read and write management events", trail.name))
            }
        }
    }
    if !unknowns.is_empty() {
        return unknown(format!("Could not tell whether region {region} is covered: {}", unknowns.join("; ")));
    }
    let detail = if reasons.is_empty() { "no multi-region trail applies to it".to_owned() } else { reasons.join("; ") };
    fail(format!(
        "Region {region} has no logging multi-region trail recording read and write management events: {detail}."
    ))
}
