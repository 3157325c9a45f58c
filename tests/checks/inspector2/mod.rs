//! Amazon Inspector: one finding per region about the account there.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::inspector2::InspectorAccount;

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod inspector2_is_enabled;
// END test modules.

fn with_status(status: Option<&str>, ecr: Option<&str>) -> AccountInventory {
    let account = InspectorAccount { status: status.map(str::to_owned), ecr: ecr.map(str::to_owned) };
    account_with(|region| region.inspector2.account = Collected::Ok(account))
}
