//! Checks: pure functions from inventory to findings, one file each, listed
//! in [`registry`]. Their metadata lives in `checks/<service>/<id>.toml`.

mod cloudtrail;
mod ec2;
mod ecr;
pub mod finding;
#[cfg(test)]
mod hostile_input_tests;
pub mod metadata;
pub mod registry;

use crate::inventory::{AccountInventory, ResourceKind};

pub use finding::{Finding, Findings};

/// A check as code: what it needs collected, and how it judges.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub needs: &'static [ResourceKind],
    pub evaluate: fn(&AccountInventory, &mut Findings<'_>),
}

impl Check {
    pub fn run(&self, account: &AccountInventory) -> Vec<Finding> {
        let mut findings = Findings::new(self.id, account);
        (self.evaluate)(account, &mut findings);
        findings.into_vec()
    }
}
