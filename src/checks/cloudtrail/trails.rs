//! How the trail checks name a trail in their messages.

use crate::inventory::cloudtrail::Trail;

/// `Trail NAME` or `Multi-region trail NAME`.
pub fn describe(trail: &Trail) -> String {
    if trail.multi_region { format!("Multi-region trail {}", trail.name) } else { format!("Trail {}", trail.name) }
}
