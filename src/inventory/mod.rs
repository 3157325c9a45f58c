//! The inventory: what the collectors fetched from AWS, as plain serialisable
//! data. Collection is the only stage that does I/O; everything downstream
//! reads this and nothing else.
//!
//! Every fetched piece is a [`Collected`], so a failed call is visible where
//! the data would have been, instead of an empty list that reads as "none".

pub mod cloudtrail;
mod collect;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod iam;
pub mod labels;
pub mod paginate;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::aws::{CollectError, chain};

pub use collect::{AccountTarget, CollectContext, RegionDone, collect_account};

/// `fetch` when `wanted`, as its own branch of the call chain, so it can be
/// run side by side with others.
fn requested<T>(
    wanted: bool,
    fetch: impl std::future::Future<Output = Result<T, CollectError>>,
) -> impl std::future::Future<Output = Collected<T>> {
    chain::branch(async move { if wanted { fetch.await.into() } else { Collected::NotRequested } })
}

/// The kinds of data a check can ask for. The planner collects the union of
/// what the selected checks need, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Ec2SecurityGroups,
    Ec2NetworkInterfaces,
    Ec2NetworkAcls,
    EcrRepositories,
    EcrRepositoryPolicies,
    /// Every image of every repository, with its signature evidence.
    EcrImages,
    CloudTrailTrails,
    // ECR registry and repository settings.
    /// `GetRegistryScanningConfiguration`, once per region.
    EcrRegistryScanning,
    /// `GetRegistryPolicy`, once per region.
    EcrRegistryPolicy,
    /// `BatchGetRepositoryScanningConfiguration`, 100 repositories a call.
    EcrRepositoryScanning,
    /// `GetLifecyclePolicy` per repository.
    EcrLifecyclePolicies,
    /// The latest image of each repository and its scan findings summary.
    EcrLatestImageScan,

    // ECS (regional).
    EcsClusters,
    /// Services of every cluster (implies the clusters).
    EcsServices,
    /// The latest ACTIVE revision of each family plus every revision a
    /// service or running task uses (implies clusters, services and tasks).
    EcsTaskDefinitions,

    // IAM (global: collected once per account).
    IamAccountSummary,
    IamPasswordPolicy,
    IamCredentialReport,
    IamVirtualMfaDevices,
    /// Attached customer and AWS managed policies with their default version.
    IamPolicies,
}

/// One piece of inventory: fetched, failed, or not asked for by any selected check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collected<T> {
    #[default]
    NotRequested,
    Ok(T),
    Failed(CollectError),
}

impl<T> From<Result<T, CollectError>> for Collected<T> {
    fn from(result: Result<T, CollectError>) -> Self {
        match result {
            Ok(value) => Collected::Ok(value),
            Err(err) => Collected::Failed(err),
        }
    }
}

impl<T> Collected<T> {
    pub fn get(&self) -> Result<&T, Unavailable<'_>> {
        match self {
            Collected::Ok(value) => Ok(value),
            Collected::Failed(err) => Err(Unavailable::Failed(err)),
            Collected::NotRequested => Err(Unavailable::NotRequested),
        }
    }

    pub fn error(&self) -> Option<&CollectError> {
        match self {
            Collected::Failed(err) => Some(err),
            _ => None,
        }
    }
}

/// Why a check cannot see a piece of inventory.
#[derive(Debug, Clone, Copy)]
pub enum Unavailable<'a> {
    Failed(&'a CollectError),
    /// The planner did not collect it: a bug in a check's declared needs.
    NotRequested,
}

impl fmt::Display for Unavailable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Failed(err) => write!(
                f,
                "{}:{} failed in {} ({:?}): {}",
                err.service, err.operation, err.region, err.kind, err.message
            ),
            Unavailable::NotRequested => {
                f.write_str("the data this check needs was not collected (check declares too few needs)")
            }
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inventory {
    pub accounts: BTreeMap<String, AccountInventory>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountInventory {
    pub account_id: String,
    pub partition: String,
    pub regions: BTreeMap<String, RegionInventory>,
    /// Trails are regional resources that can cover other regions, so their
    /// details are kept once per account, keyed by ARN.
    pub trails: BTreeMap<String, cloudtrail::Trail>,
    /// IAM is global: collected once per account, not per region.
    #[serde(default)]
    pub iam: iam::IamAccount,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegionInventory {
    pub ec2: ec2::Ec2Region,
    pub ecr: ecr::EcrRegion,
    pub cloudtrail: cloudtrail::CloudTrailRegion,
    #[serde(default)]
    pub ecs: ecs::EcsRegion,
}

impl AccountInventory {
    /// Every collection failure in this account, for the report's error list.
    pub fn errors(&self) -> Vec<&CollectError> {
        let mut errors: Vec<&CollectError> = Vec::new();
        for region in self.regions.values() {
            errors.extend(region.ec2.errors());
            errors.extend(region.ecr.errors());
            errors.extend(region.cloudtrail.trail_arns.error());
            errors.extend(region.ecs.errors());
        }
        errors.extend(self.iam.errors());
        for trail in self.trails.values() {
            errors.extend(trail.errors());
        }
        errors
    }

    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!("arn:{}:{service}:{region}:{}:{resource}", self.partition, self.account_id)
    }
}
