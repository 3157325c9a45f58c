//! Findings, and the builder checks use to make them: a finding cannot be
//! made without a region, a resource and a verdict.

use serde::{Deserialize, Serialize};

use crate::inventory::{AccountInventory, Collected, RegionInventory, Unavailable};
use crate::severity::Status;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub check_id: String,
    pub status: Status,
    pub account_id: String,
    pub region: String,
    pub resource_id: String,
    pub resource_arn: String,
    pub message: String,
}

/// Collects one check's findings for one account.
#[derive(Debug)]
pub struct Findings<'a> {
    check_id: &'static str,
    account: &'a AccountInventory,
    findings: Vec<Finding>,
}

impl<'a> Findings<'a> {
    pub fn new(check_id: &'static str, account: &'a AccountInventory) -> Self {
        Findings { check_id, account, findings: Vec::new() }
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.findings
    }

    /// Starts a finding about one resource; finish it with a verdict.
    pub fn resource(&mut self, region: &str, id: impl Into<String>, arn: impl Into<String>) -> Verdict<'_, 'a> {
        Verdict { findings: self, region: region.to_owned(), resource_id: id.into(), resource_arn: arn.into() }
    }

    /// Each region's piece of inventory chosen by `pick`, in region order.
    /// Regions where it is unavailable get one ERROR finding for the whole
    /// kind (`resource_pattern`, e.g. `repository/*`) and are left out.
    pub fn per_region<'i, T>(
        &mut self,
        account: &'i AccountInventory,
        service: &str,
        resource_pattern: &str,
        pick: impl Fn(&'i RegionInventory) -> &'i Collected<T>,
    ) -> Vec<(&'i str, &'i T)> {
        let mut available = Vec::new();
        for (region, inventory) in &account.regions {
            match pick(inventory).get() {
                Ok(value) => available.push((region.as_str(), value)),
                Err(why) => self.scope_error(service, region, resource_pattern, why),
            }
        }
        available
    }

    /// An ERROR for everything of one kind in a region, when even the listing
    /// failed. `resource_pattern` names the kind, e.g. `security-group/*`.
    pub fn scope_error(&mut self, service: &str, region: &str, resource_pattern: &str, why: Unavailable<'_>) {
        let arn = self.account.arn(service, region, resource_pattern);
        self.resource(region, region, arn).error(format!("Could not evaluate: {why}"));
    }
}

#[derive(Debug)]
#[must_use = "a finding is recorded only once it gets a verdict"]
pub struct Verdict<'f, 'a> {
    findings: &'f mut Findings<'a>,
    region: String,
    resource_id: String,
    resource_arn: String,
}

impl Verdict<'_, '_> {
    pub fn pass(self, message: impl Into<String>) {
        self.record(Status::Pass, message.into());
    }

    pub fn fail(self, message: impl Into<String>) {
        self.record(Status::Fail, message.into());
    }

    pub fn error(self, message: impl Into<String>) {
        self.record(Status::Error, message.into());
    }

    fn record(self, status: Status, message: String) {
        let finding = Finding {
            check_id: self.findings.check_id.to_owned(),
            status,
            account_id: self.findings.account.account_id.clone(),
            region: self.region,
            resource_id: self.resource_id,
            resource_arn: self.resource_arn,
            message,
        };
        self.findings.findings.push(finding);
    }
}
