//! CloudTrail: coverage per region, then each trail.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::cloudtrail::Trail;

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod cloudtrail_cloudwatch_logging_enabled;
mod cloudtrail_kms_encryption_enabled;
mod cloudtrail_log_file_validation_enabled;
mod cloudtrail_multi_region_enabled;
mod cloudtrail_multi_region_enabled_logging_management_events;
// END test modules.

fn listing_denied() -> AccountInventory {
    account_with(|region| {
        region.cloudtrail.trail_arns = Collected::Failed(denied(Service::Cloudtrail, "DescribeTrails"));
    })
}

fn status_denied(trail: Trail) -> Trail {
    Trail { status: Collected::Failed(denied(Service::Cloudtrail, "GetTrailStatus")), ..trail }
}
