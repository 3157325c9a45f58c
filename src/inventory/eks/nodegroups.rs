//! Managed node groups, each with the launch template it names.

use aws_sdk_eks::Client;
use serde::{Deserialize, Serialize};

use super::launch_templates::Ec2;
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, ErrorKind, Service};
use crate::inventory::paginate::CallSite;
use crate::inventory::{AccountTarget, Collected, Undescribed};

/// A managed node group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Nodegroup {
    /// `CLUSTER/NODEGROUP`: node group names are unique within their cluster only.
    pub id: String,
    pub arn: String,
    pub name: String,
    pub cluster: String,
    /// The launch template it names; `None` when EKS made its own.
    pub launch_template: Option<LaunchTemplate>,
}

crate::inventory::resource!(Nodegroup, id, arn);

/// The launch template a node group names, and what its version sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchTemplate {
    pub id: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    /// That version's `metadataOptions`.
    pub metadata: Collected<MetadataOptions>,
}

impl LaunchTemplate {
    /// `lt-... (name) version N`, for messages.
    pub fn describe(&self) -> String {
        let id = self.id.as_deref().or(self.name.as_deref()).unwrap_or("?");
        let name = match (&self.id, &self.name) {
            (Some(_), Some(name)) => format!(" ({name})"),
            _ => String::new(),
        };
        format!("launch template {id}{name} version {}", self.version.as_deref().unwrap_or("$Default"))
    }
}

/// A launch template version's instance metadata options; each field `None`
/// where the version leaves it to EC2's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataOptions {
    /// `optional` or `required`.
    pub http_tokens: Option<String>,
    pub http_put_response_hop_limit: Option<i32>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
}

/// The cluster's node groups, and those `DescribeNodegroup` could not describe.
pub(super) async fn collect(
    client: &Client,
    ec2: &Ec2,
    gate: &CallGate,
    target: &AccountTarget,
    region: &str,
    cluster: &str,
) -> Result<(Vec<Nodegroup>, Vec<Undescribed>), CollectError> {
    let site = CallSite { gate, service: Service::Eks, region, operation: "ListNodegroups" };
    let names = site
        .all_pages(
            |token| client.list_nodegroups().cluster_name(cluster).set_next_token(token).max_results(100).send(),
            |page| (page.nodegroups().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let describe = CallSite { operation: "DescribeNodegroup", ..site };
    let answers = join_all(names.iter().map(|name| async move {
        let answer =
            describe.once(|| client.describe_nodegroup().cluster_name(cluster).nodegroup_name(name).send()).await;
        (name, answer)
    }))
    .await;
    let mut nodegroups = Vec::new();
    let mut undescribed = Vec::new();
    for (name, answer) in answers {
        let id = format!("{cluster}/{name}");
        match answer.map(|output| output.nodegroup) {
            Ok(Some(nodegroup)) => nodegroups.push(nodegroup_of(&nodegroup, cluster, name)),
            Ok(None) => {
                let error = CollectError::new(
                    Service::Eks,
                    describe.operation,
                    region,
                    ErrorKind::MalformedResponse,
                    format!("the answer has no node group {name}"),
                );
                let arn = target.arn("eks", region, &format!("nodegroup/{id}"));
                undescribed.push(Undescribed { id, arn, error });
            }
            Err(error) => {
                let arn = target.arn("eks", region, &format!("nodegroup/{id}"));
                undescribed.push(Undescribed { id, arn, error });
            }
        }
    }
    super::launch_templates::read(ec2, gate, region, &mut nodegroups).await;
    Ok((nodegroups, undescribed))
}

fn nodegroup_of(nodegroup: &aws_sdk_eks::types::Nodegroup, cluster: &str, name: &str) -> Nodegroup {
    let name = nodegroup.nodegroup_name().unwrap_or(name).to_owned();
    Nodegroup {
        id: format!("{cluster}/{name}"),
        arn: nodegroup.nodegroup_arn().unwrap_or_default().to_owned(),
        cluster: cluster.to_owned(),
        launch_template: nodegroup.launch_template().map(|template| LaunchTemplate {
            id: template.id().map(str::to_owned),
            name: template.name().map(str::to_owned),
            version: template.version().map(str::to_owned),
            metadata: Collected::NotRequested,
        }),
        name,
    }
}
