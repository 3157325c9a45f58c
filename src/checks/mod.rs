//! Checks: pure functions from inventory to findings, one file each, listed
//! in [`registry`]. Their metadata lives in `checks/<service>/<id>.toml`.

mod cloudtrail;
pub mod docs;
mod ec2;
mod ecr;
mod ecs;
pub mod finding;
#[cfg(test)]
mod hostile_input_tests;
mod iam;
pub mod metadata;
pub mod registry;

use crate::config::Config;
use crate::inventory::{AccountInventory, ResourceKind};

pub use finding::{Finding, Findings};

/// What every check reads, and nothing else: one account's inventory and
/// the scan's settings.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub account: &'a AccountInventory,
    pub config: &'a Config,
    /// When the scan started, in seconds since the Unix epoch: checks that
    /// judge recency ("delivered within 24 hours") read the clock here.
    pub now_epoch_seconds: i64,
}

/// A check as code: what it needs collected, and how it judges.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub needs: &'static [ResourceKind],
    pub evaluate: fn(&Context<'_>, &mut Findings<'_>),
}

impl Check {
    pub fn run(&self, context: &Context<'_>) -> Vec<Finding> {
        let mut findings = Findings::new(self.id, context.account);
        (self.evaluate)(context, &mut findings);
        findings.into_vec()
    }
}
