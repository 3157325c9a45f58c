//! EKS inventory: the region's clusters with the settings the checks judge
//! (endpoint access, secrets encryption, control plane logging, version,
//! authentication mode), their managed node groups with the instance
//! metadata options of the launch template each names, and the access
//! entries whose principals are outside the audited account.
//!
//! EKS has no batch describe: one `DescribeCluster` per cluster and one
//! `DescribeNodegroup` per node group. Launch templates are read through
//! EC2's `DescribeLaunchTemplateVersions`, once per template that a node
//! group names, with every version named; node groups without one are not
//! read further. The associated access policies are asked for only for
//! principals of other accounts: an in-account principal is never external.

mod access;
mod launch_templates;
mod nodegroups;

use aws_sdk_eks::Client;
use serde::{Deserialize, Serialize};

use super::features::FeaturesOff;
use super::paginate::CallSite;
use super::{AccountTarget, Collected, Needs, ResourceKind, Undescribed, requested};
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service, Session};

pub use access::{AccessEntry, AccessPolicy};
pub use nodegroups::{LaunchTemplate, MetadataOptions, Nodegroup};

/// The control plane log types EKS has, as its API spells them.
pub const LOG_TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EksRegion {
    pub clusters: Collected<Vec<EksCluster>>,
    /// Clusters `ListClusters` named whose `DescribeCluster` failed.
    #[serde(default)]
    pub undescribed_clusters: Vec<Undescribed>,
    /// EKS, when the region or partition does not offer it: no cluster then.
    #[serde(default, skip_serializing_if = "FeaturesOff::is_empty")]
    pub features_off: FeaturesOff,
}

/// A cluster as `DescribeCluster` reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EksCluster {
    pub arn: String,
    pub name: String,
    /// The Kubernetes minor version (`1.31`).
    pub version: Option<String>,
    /// `resourcesVpcConfig.endpointPublicAccess`.
    pub endpoint_public_access: bool,
    /// `resourcesVpcConfig.endpointPrivateAccess`.
    pub endpoint_private_access: bool,
    /// `resourcesVpcConfig.publicAccessCidrs` (`0.0.0.0/0` when unrestricted).
    pub public_access_cidrs: Vec<String>,
    /// The subnets of the cluster's network interfaces.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// `resourcesVpcConfig.vpcId`: the VPC of those subnets.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// The KMS key of the `encryptionConfig` entry covering `secrets`.
    pub secrets_key_arn: Option<String>,
    /// The control plane log types turned on (`logging.clusterLogging`).
    pub enabled_log_types: Vec<String>,
    /// `accessConfig.authenticationMode`: `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP`.
    pub authentication_mode: Option<String>,
    /// `upgradePolicy.supportType`: `STANDARD` (no extended support) or `EXTENDED`.
    pub support_type: Option<String>,
    /// The managed node groups.
    pub nodegroups: Collected<Vec<Nodegroup>>,
    /// Node groups `ListNodegroups` named whose `DescribeNodegroup` failed.
    #[serde(default)]
    pub undescribed_nodegroups: Vec<Undescribed>,
    /// The access entries; `NotRequested` for a cluster in `CONFIG_MAP`
    /// mode, which has none (its `aws-auth` map is not readable through AWS).
    pub access_entries: Collected<Vec<AccessEntry>>,
}

impl EksCluster {
    /// Whether its authentication mode reads access entries.
    pub fn has_access_entries(&self) -> bool {
        matches!(self.authentication_mode.as_deref(), Some("API" | "API_AND_CONFIG_MAP"))
    }
}

super::resource!(EksCluster, name, arn, |cluster| super::Label {
    name: cluster.name.clone(),
    details: cluster.version.as_deref().map(|version| format!("Kubernetes {version}")).unwrap_or_default(),
    ..super::Label::default()
});

/// Every cluster of the region with what the selected checks need.
pub async fn collect(
    session: &Session,
    gate: &CallGate,
    target: &AccountTarget,
    region: &str,
    needs: &Needs,
) -> EksRegion {
    let client = &session.client::<Client>(region);
    let listed = list_clusters(client, gate, region).await;
    let names = match listed {
        Ok(names) => names,
        Err(error) => {
            let mut eks = EksRegion { clusters: Collected::Failed(error), ..EksRegion::default() };
            super::features::settle_eks(&mut eks);
            return eks;
        }
    };
    let site = CallSite { gate, service: Service::Eks, region, operation: "DescribeCluster" };
    let described = join_all(names.iter().map(|name| async move {
        let answer = site.once(|| client.describe_cluster().name(name).send()).await;
        (name, answer)
    }))
    .await;
    let mut clusters = Vec::new();
    let mut undescribed = Vec::new();
    for (name, answer) in described {
        match answer.map(|output| output.cluster().map(|cluster| cluster_of(cluster, name))) {
            Ok(Some(cluster)) => clusters.push(cluster),
            Ok(None) => undescribed.push(undescribed_cluster(target, region, name, missing(&site, name))),
            Err(error) => undescribed.push(undescribed_cluster(target, region, name, error)),
        }
    }
    let ec2 = session.client::<launch_templates::Ec2>(region);
    let context = Details { client, ec2: &ec2, gate, target, region, needs };
    join_all(clusters.iter_mut().map(|cluster| context.fill(cluster))).await;
    let mut eks =
        EksRegion { clusters: Collected::Ok(clusters), undescribed_clusters: undescribed, ..EksRegion::default() };
    super::features::settle_eks(&mut eks);
    eks
}

async fn list_clusters(client: &Client, gate: &CallGate, region: &str) -> Result<Vec<String>, CollectError> {
    let site = CallSite { gate, service: Service::Eks, region, operation: "ListClusters" };
    site.all_pages(
        |token| client.list_clusters().set_next_token(token).max_results(100).send(),
        |page| (page.clusters().to_vec(), page.next_token().map(str::to_owned)),
    )
    .await
}

fn missing(site: &CallSite<'_>, name: &str) -> CollectError {
    let message = format!("the answer has no cluster {name}");
    CollectError::new(Service::Eks, site.operation, site.region, crate::aws::ErrorKind::MalformedResponse, message)
}

fn undescribed_cluster(target: &AccountTarget, region: &str, name: &str, error: CollectError) -> Undescribed {
    let arn = target.arn("eks", region, &format!("cluster/{name}"));
    Undescribed { id: name.to_owned(), arn, error }
}

/// Ours, from the SDK's cluster; the nested listings are left to [`Details`].
fn cluster_of(cluster: &aws_sdk_eks::types::Cluster, name: &str) -> EksCluster {
    let vpc = cluster.resources_vpc_config();
    let secrets_key_arn = cluster
        .encryption_config()
        .iter()
        .find(|config| config.resources().iter().any(|resource| resource == "secrets"))
        .and_then(|config| config.provider())
        .and_then(|provider| provider.key_arn())
        .map(str::to_owned);
    let mut enabled_log_types: Vec<String> = cluster
        .logging()
        .map(|logging| logging.cluster_logging())
        .unwrap_or_default()
        .iter()
        .filter(|setup| setup.enabled() == Some(true))
        .flat_map(|setup| setup.types().iter().map(|kind| kind.as_str().to_owned()))
        .collect();
    enabled_log_types.sort();
    enabled_log_types.dedup();
    EksCluster {
        arn: cluster.arn().unwrap_or_default().to_owned(),
        name: cluster.name().unwrap_or(name).to_owned(),
        version: cluster.version().map(str::to_owned),
        endpoint_public_access: vpc.is_some_and(|vpc| vpc.endpoint_public_access()),
        endpoint_private_access: vpc.is_some_and(|vpc| vpc.endpoint_private_access()),
        public_access_cidrs: vpc.map(|vpc| vpc.public_access_cidrs().to_vec()).unwrap_or_default(),
        subnet_ids: vpc.map(|vpc| vpc.subnet_ids().to_vec()).unwrap_or_default(),
        vpc_id: vpc.and_then(|vpc| vpc.vpc_id()).map(str::to_owned),
        secrets_key_arn,
        enabled_log_types,
        authentication_mode: cluster
            .access_config()
            .and_then(|access| access.authentication_mode())
            .map(|mode| mode.as_str().to_owned()),
        support_type: cluster
            .upgrade_policy()
            .and_then(|policy| policy.support_type())
            .map(|kind| kind.as_str().to_owned()),
        ..EksCluster::default()
    }
}

/// What fills a described cluster's node groups and access entries.
struct Details<'a> {
    client: &'a Client,
    ec2: &'a launch_templates::Ec2,
    gate: &'a CallGate,
    target: &'a AccountTarget,
    region: &'a str,
    needs: &'a Needs,
}

impl Details<'_> {
    async fn fill(&self, cluster: &mut EksCluster) {
        let (nodegroups, entries) = futures::join!(
            requested(
                self.needs.wants(ResourceKind::EksNodegroups),
                nodegroups::collect(self.client, self.ec2, self.gate, self.target, self.region, &cluster.name)
            ),
            requested(
                self.needs.wants(ResourceKind::EksAccessEntries) && cluster.has_access_entries(),
                access::collect(self.client, self.gate, self.target, self.region, &cluster.name)
            ),
        );
        let (nodegroups, undescribed) = match nodegroups {
            Collected::Ok((nodegroups, undescribed)) => (Collected::Ok(nodegroups), undescribed),
            Collected::Failed(error) => (Collected::Failed(error), Vec::new()),
            Collected::NotRequested => (Collected::NotRequested, Vec::new()),
        };
        cluster.nodegroups = nodegroups;
        cluster.undescribed_nodegroups = undescribed;
        cluster.access_entries = entries;
    }
}
