//! One finding per region: PASS only when a trail that is logging now and
//! records management events covers the region.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::cloudtrail::Trail;
use crate::rules::trail_events::records_management_events;

pub const CHECK: Check =
    Check { id: "cloudtrail_multi_region_enabled", scope: Scope::TrailCoverage(judge), reads: &[] };

/// How one trail stands for one region.
enum Coverage {
    Covers,
    DoesNot(String),
    Unknown(String),
}

fn judge(_: &Context<'_>, region: &str, trails: &[&Trail]) -> Verdict {
    let judged: Vec<(&Trail, Coverage)> = trails.iter().map(|trail| (*trail, coverage(trail, region))).collect();
    if let Some((trail, _)) = judged.iter().find(|(_, coverage)| matches!(coverage, Coverage::Covers)) {
        let scope = if trail.multi_region {
            format!("multi-region trail {} (home region {})", trail.name, trail.home_region)
        } else {
            format!("trail {}", trail.name)
        };
        return pass(format!("Region {region} is covered by {scope}, which is logging and records management events."));
    }
    let unknowns: Vec<&str> = judged
        .iter()
        .filter_map(|(_, coverage)| match coverage {
            Coverage::Unknown(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    if !unknowns.is_empty() {
        return unknown(format!("Could not tell whether region {region} is covered: {}", unknowns.join("; ")));
    }
    let reasons: Vec<&str> = judged
        .iter()
        .filter_map(|(_, coverage)| match coverage {
            Coverage::DoesNot(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    let detail = if reasons.is_empty() { "no trail applies to it".to_owned() } else { reasons.join("; ") };
    fail(format!("Region {region} is not covered by a logging trail that records management events: {detail}."))
}

fn coverage(trail: &Trail, region: &str) -> Coverage {
    if !trail.multi_region && trail.home_region != region {
        return Coverage::DoesNot(format!("trail {} is a single-region trail of {}", trail.name, trail.home_region));
    }
    let logging = match trail.status.get() {
        Ok(status) => status.is_logging,
        Err(why) => return Coverage::Unknown(format!("the status of trail {} is unknown: {why}", trail.name)),
    };
    let management = match records_management_events(trail) {
        Ok(management) => management,
        Err(why) => {
            return Coverage::Unknown(format!("the event selectors of trail {} are unknown: {why}", trail.name));
        }
    };
    match (logging, management) {
        (true, true) => Coverage::Covers,
        (false, _) => Coverage::DoesNot(format!("trail {} is not logging", trail.name)),
        (true, false) => Coverage::DoesNot(format!("trail {} records no management events", trail.name)),
    }
}
