//! Running one check on inventory built in code (`bulkhead::inventory::fixtures`).

use bulkhead::checks::registry::find;
use bulkhead::checks::{Context, Finding};
use bulkhead::config::Config;
use bulkhead::inventory::AccountInventory;
pub use bulkhead::inventory::fixtures::*;
pub use bulkhead::inventory::{Collected, fixtures};
pub use bulkhead::severity::Status;

/// The scan's start in every offline test.
pub const NOW: &str = "2026-06-01T00:00:00Z";

pub fn run(check: &str, account: &AccountInventory) -> Vec<Finding> {
    run_with(check, account, &Config::default())
}

pub fn run_with(check: &str, account: &AccountInventory, config: &Config) -> Vec<Finding> {
    let check = find(check).unwrap_or_else(|| panic!("{check} is not registered"));
    check.run(&Context { account, config, now: at(NOW) })
}

/// The one finding `check` gives on `account`.
pub fn only(check: &str, account: &AccountInventory) -> Finding {
    let findings = run(check, account);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    findings.into_iter().next().unwrap()
}

pub fn status(check: &str, account: &AccountInventory) -> Status {
    only(check, account).status
}
