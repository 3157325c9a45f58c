//! Checks: pure functions from inventory to findings, one file each, listed
//! in [`registry`]. A check names the [`Scope`] it judges (which resources)
//! and its rule for one of them; [`scope`] walks the resources and records
//! the findings. Their metadata lives in `checks/<service>/<id>.toml`.

mod cloudtrail;
pub mod docs;
mod ec2;
mod ecr;
mod ecs;
mod eks;
mod elbv2;
pub mod finding;
mod guardduty;
#[cfg(test)]
mod hostile_input_tests;
mod iam;
mod inspector2;
pub mod metadata;
pub mod registry;
pub mod scope;
mod scope_network;
pub mod verdict;
mod vpc;

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::config::Config;
use crate::inventory::{AccountInventory, ResourceKind};

pub use finding::{Finding, Findings};
pub use scope::{PolicyKind, Registry, Scope};
pub use verdict::{Judgement, Read, Unknown, Verdict, fail, pass, unknown};

/// What every check reads, and nothing else: one account's inventory and
/// the scan's settings.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub account: &'a AccountInventory,
    pub config: &'a Config,
    /// When the scan started: checks that judge recency ("delivered within
    /// 24 hours") read the clock here.
    pub now: Timestamp,
}

/// A check as code: which resources it judges, what its rule reads besides
/// them, and the rule (inside the scope).
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub scope: Scope,
    /// What the rule reads beyond what walking its scope does
    /// ([`Scope::walks`]): a repository's policy, the account summary.
    pub reads: &'static [ResourceKind],
}

impl Check {
    /// Everything the planner must collect for this check.
    pub fn needs(&self) -> BTreeSet<ResourceKind> {
        self.scope.walks().iter().chain(self.reads).copied().collect()
    }

    pub fn run(&self, context: &Context<'_>) -> Vec<Finding> {
        let mut findings = Findings::new(self.id, context.account);
        self.scope.walk(context, &mut findings);
        findings.into_vec()
    }
}
