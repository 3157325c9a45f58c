//! Findings, and the builder the walks use to make them: a finding cannot be
//! made without a region, a resource's identity and a verdict.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::verdict::{Judgement, Verdict};
use crate::inventory::{AccountInventory, Collected, RegionInventory, Resource};
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
    /// The resource's name as AWS reports it (empty when it has none).
    pub resource_name: String,
    /// The resource's tags, as AWS reports them.
    pub resource_tags: BTreeMap<String, String>,
    /// Free text AWS holds about the resource (a security group's description).
    pub resource_details: String,
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

    /// Each region's piece of inventory chosen by `pick`, in region order.
    /// A region where it is unavailable gets one ERROR finding about the
    /// account in that region, and is left out.
    pub fn per_region<T>(&mut self, pick: impl Fn(&'a RegionInventory) -> &'a Collected<T>) -> Vec<(&'a str, &'a T)> {
        let account = self.account;
        let mut available = Vec::new();
        for (region, inventory) in &account.regions {
            match pick(inventory).get() {
                Ok(value) => available.push((region.as_str(), value)),
                Err(why) => {
                    self.record_scope(region, region, Err(super::Unknown(format!("Could not evaluate: {why}"))))
                }
            }
        }
        available
    }

    /// A verdict about one collected resource, under its own identity.
    pub fn record(&mut self, region: &str, resource: &impl Resource, verdict: Verdict) {
        let label = resource.label();
        self.push(region, resource.id(), resource.arn(), label, verdict);
    }

    /// A verdict about the account as a whole in `region` (a region's trail
    /// coverage, its private registry, a listing that failed there): `id`
    /// names what was judged, and the ARN is the account's.
    pub fn record_scope(&mut self, region: &str, id: &str, verdict: Verdict) {
        let arn = self.account.arn_of_account();
        self.push(region, id, &arn, crate::inventory::Label::default(), verdict);
    }

    fn push(&mut self, region: &str, id: &str, arn: &str, label: crate::inventory::Label, verdict: Verdict) {
        let (status, message) = match verdict {
            Ok(Judgement::Pass(message)) => (Status::Pass, message),
            Ok(Judgement::Fail(message)) => (Status::Fail, message),
            Ok(Judgement::NotApplicable) => return,
            Err(unknown) => (Status::Error, unknown.0),
        };
        self.findings.push(Finding {
            check_id: self.check_id.to_owned(),
            status,
            account_id: self.account.account_id.clone(),
            region: region.to_owned(),
            resource_id: id.to_owned(),
            resource_arn: arn.to_owned(),
            message,
            resource_name: label.name,
            resource_tags: label.tags,
            resource_details: label.details,
        });
    }
}
