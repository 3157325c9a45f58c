//! GuardDuty: one finding per region about the account there.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::guardduty::Detector;

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod guardduty_ecs_runtime_monitoring_enabled;
mod guardduty_eks_audit_log_enabled;
mod guardduty_eks_runtime_monitoring_enabled;
mod guardduty_is_enabled;
// END test modules.

fn with_detectors(detectors: Vec<Detector>) -> AccountInventory {
    account_with(|region| region.guardduty.detectors = Collected::Ok(detectors))
}
