//! CloudTrail checks.

pub mod cloudtrail_multi_region_enabled;
