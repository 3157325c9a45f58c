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
pub mod ecr_signing;
pub mod ecs;
pub mod eks;
mod eks_detection;
pub mod elbv2;
pub mod features;
pub mod fixtures;
pub mod guardduty;
pub mod iam;
pub mod image_configs;
pub mod image_layers;
pub mod image_vulnerabilities;
pub mod inspector2;
pub mod paginate;
mod resource;
mod visit;
pub mod vpc;
pub mod wafv2;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::aws::{CollectError, chain};

pub use collect::{
    AccountTarget, CollectContext, RegionDone, collect_account, collect_ecr_listings, collect_ecr_signing_statuses,
};
pub(crate) use resource::resource;
pub use resource::{AccountResource, Label, Resource};
pub use visit::Visit;

/// `fetch` when `wanted`, as its own branch of the call chain, so it can be
/// run side by side with others.
fn requested<T>(
    wanted: bool,
    fetch: impl std::future::Future<Output = Result<T, CollectError>>,
) -> impl std::future::Future<Output = Collected<T>> {
    chain::branch(async move { if wanted { fetch.await.into() } else { Collected::NotRequested } })
}

/// The kinds of data a check can ask for: the one list of what bulkhead
/// collects. The planner collects the union of what the selected checks need
/// (with what each kind [implies](ResourceKind::implies)), and nothing else;
/// each collector asks [`Needs`] whether a kind is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Ec2SecurityGroups,
    Ec2NetworkInterfaces,
    Ec2NetworkAcls,
    /// `DescribeRouteTables`, once per region: which subnets route IPv6 to
    /// an internet gateway.
    Ec2RouteTables,
    /// `DescribeVpcs`, once per region.
    Ec2Vpcs,
    /// `DescribeFlowLogs`, once per region.
    Ec2FlowLogs,
    EcrRepositories,
    /// `GetRegistryScanningConfiguration`, once per region.
    EcrRegistryScanning,
    /// `GetRegistryPolicy`, once per region.
    EcrRegistryPolicy,
    /// `GetSigningConfiguration`, once per region; with [`EcrImages`](ResourceKind::EcrImages),
    /// also ECR's signing status of the images a signing rule covers.
    EcrSigningConfiguration,
    /// `GetRepositoryPolicy` per repository.
    EcrRepositoryPolicies,
    /// `BatchGetRepositoryScanningConfiguration`, 100 repositories a call.
    EcrRepositoryScanning,
    /// `GetLifecyclePolicy` per repository.
    EcrLifecyclePolicies,
    /// Every image of every repository, with its signature evidence.
    EcrImages,
    /// The latest image of each repository and its scan findings summary.
    EcrLatestImageScan,
    /// The manifest and config blob of every image in the account's own ECR
    /// that a judged task definition names (implies the task definitions).
    EcrImageConfigs,
    /// What ECR's scan found in each of those images
    /// (`DescribeImageScanFindings`, only where the listing shows a scan).
    ImageVulnerabilities,
    /// The layers of each of those images, each distinct layer read once
    /// per scan: secrets, os-release, sshd (implies the configs, which name
    /// the layers).
    EcrImageLayers,

    CloudTrailTrails,

    // ECS (regional).
    EcsClusters,
    /// Services of every cluster (implies the clusters).
    EcsServices,
    /// The RUNNING tasks of every cluster: what each container runs (its
    /// image digest) and the task's network interfaces (implies the clusters).
    EcsTasks,
    /// The latest ACTIVE revision of each family plus every revision a
    /// service or running task uses (implies clusters, services and tasks).
    EcsTaskDefinitions,

    /// Elastic Load Balancing v2 (regional): load balancers, the listeners
    /// of the internet-facing ones, and every target group.
    LoadBalancers,
    /// The listeners of internal load balancers too (implies the load balancers).
    LoadBalancerListeners,
    /// `DescribeLoadBalancerAttributes`, once per load balancer.
    LoadBalancerAttributes,
    /// WAFv2: `ListWebACLs` per region and `ListResourcesForWebACL` per web
    /// ACL, where an internet-facing application load balancer exists.
    WebAcls,

    // EKS (regional).
    /// `ListClusters` and one `DescribeCluster` per cluster.
    EksClusters,
    /// Each cluster's managed node groups and the instance metadata options
    /// of the launch templates they name (implies the clusters).
    EksNodegroups,
    /// The access entries of clusters in an access-entry authentication
    /// mode, with the policies of other accounts' principals (implies the clusters).
    EksAccessEntries,

    // Detection (regional).
    /// GuardDuty's detectors and their protection plans.
    GuardDutyDetectors,
    /// Amazon Inspector's status for the account (is ECR scanning on).
    InspectorStatus,

    // IAM (global: collected once per account).
    IamAccountSummary,
    IamPasswordPolicy,
    IamCredentialReport,
    IamVirtualMfaDevices,
    /// Attached customer and AWS managed policies with their default version.
    IamPolicies,
}

impl ResourceKind {
    /// The kinds this one is collected through: a repository's policy needs
    /// the repositories listed, a service its cluster.
    pub fn implies(self) -> &'static [ResourceKind] {
        use ResourceKind as K;
        match self {
            K::EcrRepositoryPolicies
            | K::EcrRepositoryScanning
            | K::EcrLifecyclePolicies
            | K::EcrImages
            | K::EcrLatestImageScan => &[K::EcrRepositories],
            K::EcsServices | K::EcsTasks => &[K::EcsClusters],
            K::LoadBalancerListeners | K::LoadBalancerAttributes | K::WebAcls => &[K::LoadBalancers],
            K::EksNodegroups | K::EksAccessEntries => &[K::EksClusters],
            // Which revisions are in use comes from the clusters' services and tasks.
            K::EcsTaskDefinitions => &[K::EcsClusters, K::EcsServices, K::EcsTasks],
            // Which images to read comes from the task definitions.
            K::EcrImageConfigs => &[K::EcsTaskDefinitions],
            K::EcrImageLayers => &[K::EcrImageConfigs],
            // The images come from the configs' collection; whether each was
            // scanned, and how, from the image listing and the registry's
            // scanning configuration.
            K::ImageVulnerabilities => &[K::EcrImageConfigs, K::EcrRepositories, K::EcrRegistryScanning],
            _ => &[],
        }
    }
}

/// What a scan collects: the selected checks' needs and what they imply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs(BTreeSet<ResourceKind>);

impl Needs {
    pub fn of(kinds: impl IntoIterator<Item = ResourceKind>) -> Needs {
        let mut needs = BTreeSet::new();
        let mut pending: Vec<ResourceKind> = kinds.into_iter().collect();
        while let Some(kind) = pending.pop() {
            if needs.insert(kind) {
                pending.extend_from_slice(kind.implies());
            }
        }
        Needs(needs)
    }

    pub fn wants(&self, kind: ResourceKind) -> bool {
        self.0.contains(&kind)
    }

    pub fn any(&self, kinds: &[ResourceKind]) -> bool {
        kinds.iter().any(|kind| self.wants(*kind))
    }

    pub fn iter(&self) -> impl Iterator<Item = ResourceKind> + '_ {
        self.0.iter().copied()
    }
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

/// A resource a listing named but a batch describe call (`DescribeClusters`,
/// `DescribeServices`) reported in its `failures[]`, with AWS's reason: it
/// gets ERROR findings, never silence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undescribed {
    /// The last part of its ARN (a name), unless the caller qualifies it.
    pub id: String,
    pub arn: String,
    pub error: CollectError,
}

impl Undescribed {
    pub fn new(arn: &str, error: CollectError) -> Undescribed {
        let id = arn.rsplit_once('/').map_or(arn, |(_, name)| name).to_owned();
        Undescribed { id, arn: arn.to_owned(), error }
    }
}

resource!(Undescribed, id, arn);

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
            Unavailable::Failed(err) => {
                write!(f, "{}:{} failed in {} ({}): {}", err.service, err.operation, err.region, err.kind, err.message)
            }
            Unavailable::NotRequested => {
                f.write_str("the data this check needs was not collected (check declares too few needs)")
            }
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inventory {
    pub accounts: BTreeMap<String, AccountInventory>,
    /// Accounts that could not be scanned at all (role not assumable,
    /// regions not listable): every selected check reports ERROR for them.
    #[serde(default)]
    pub unreachable: Vec<UnreachableAccount>,
    /// `account id -> name` in AWS Organizations, for the accounts a fleet
    /// scan (`--organization`) found there; what the reports name them by.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub organization_names: BTreeMap<String, String>,
}

/// An account of the scan whose inventory could not be collected at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnreachableAccount {
    pub account_id: String,
    pub partition: String,
    pub error: CollectError,
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
    /// The images of the account's own ECR (any region) that its task
    /// definitions name, read from the registry; held once per account, as
    /// task definitions of several regions may name one image.
    #[serde(default)]
    pub registry_images: Collected<Vec<image_configs::RegistryImage>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegionInventory {
    pub ec2: ec2::Ec2Region,
    pub ecr: ecr::EcrRegion,
    pub cloudtrail: cloudtrail::CloudTrailRegion,
    #[serde(default)]
    pub ecs: ecs::EcsRegion,
    #[serde(default)]
    pub elbv2: elbv2::Elbv2Region,
    #[serde(default)]
    pub eks: eks::EksRegion,
    #[serde(default)]
    pub guardduty: guardduty::GuardDutyRegion,
    #[serde(default)]
    pub inspector2: inspector2::InspectorRegion,
}

impl AccountInventory {
    /// Every collection failure in this account, for the report's error list.
    pub fn errors(&self) -> Vec<&CollectError> {
        let mut errors = Vec::new();
        self.visit(&mut |error| errors.extend(error));
        errors
    }

    /// The optional features its regions do not offer (`features`), for
    /// the report's notes: not errors, the scan judged without them.
    pub fn features_off(&self) -> Vec<&features::FeatureOff> {
        let mut off = Vec::new();
        for region in self.regions.values() {
            off.extend(region.ecr.features_off.iter().chain(region.elbv2.features_off.iter()));
            off.extend(region.eks.features_off.iter().chain(region.guardduty.features_off.iter()));
            off.extend(region.inspector2.features_off.iter());
        }
        off
    }

    /// The account's own ARN (`arn:aws:iam::123456789012:root`): the
    /// resource of findings about the account as a whole in a region.
    pub fn arn_of_account(&self) -> String {
        format!("arn:{}:iam::{}:root", self.partition, self.account_id)
    }

    /// The root user, as IAM's credential report names it.
    pub fn root(&self) -> AccountResource {
        AccountResource { id: iam::ROOT_ROW.to_owned(), arn: self.arn_of_account() }
    }

    /// The account password policy, one per account.
    pub fn password_policy(&self) -> AccountResource {
        AccountResource {
            id: "password-policy".to_owned(),
            arn: format!("arn:{}:iam::{}:account-password-policy", self.partition, self.account_id),
        }
    }
}
