//! VPCs and their flow logs: the network evidence of who talked to what.
//! `DescribeVpcs` and `DescribeFlowLogs` once per region each (paginated),
//! never one call per VPC.

use aws_sdk_ec2::Client;
use serde::{Deserialize, Serialize};

use super::AccountTarget;
use super::ec2::Tag;
use super::paginate::CallSite;
use crate::aws::{CallGate, CollectError, Service};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    pub arn: String,
    pub is_default: bool,
    pub cidr_block: Option<String>,
    pub tags: Vec<Tag>,
}

super::resource!(Vpc, id, arn, |vpc| {
    let tags: std::collections::BTreeMap<String, String> =
        vpc.tags.iter().map(|tag| (tag.key.clone(), tag.value.clone())).collect();
    super::Label {
        name: tags.get("Name").cloned().unwrap_or_default(),
        tags,
        details: vpc.cidr_block.clone().unwrap_or_default(),
    }
});

/// A flow log, of a VPC, a subnet or a network interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: String,
    /// The VPC, subnet or network interface it records.
    pub resource_id: String,
    /// `ACTIVE` once it records.
    pub status: Option<String>,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Option<String>,
    /// `cloud-watch-logs`, `s3` or `kinesis-data-firehose`.
    pub destination_type: Option<String>,
}

impl FlowLog {
    pub fn is_active(&self) -> bool {
        self.status.as_deref() == Some("ACTIVE")
    }
}

pub async fn vpcs(
    client: &Client,
    gate: &CallGate,
    account: &AccountTarget,
    region: &str,
) -> Result<Vec<Vpc>, CollectError> {
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeVpcs" };
    site.all_pages(
        |token| client.describe_vpcs().set_next_token(token).max_results(1000).send(),
        |page| {
            let vpcs = page
                .vpcs()
                .iter()
                .map(|vpc| {
                    let id = vpc.vpc_id().unwrap_or_default().to_owned();
                    Vpc {
                        arn: account.arn("ec2", region, &format!("vpc/{id}")),
                        id,
                        is_default: vpc.is_default().unwrap_or(false),
                        cidr_block: vpc.cidr_block().map(str::to_owned),
                        tags: vpc
                            .tags()
                            .iter()
                            .map(|tag| Tag {
                                key: tag.key().unwrap_or_default().to_owned(),
                                value: tag.value().unwrap_or_default().to_owned(),
                            })
                            .collect(),
                    }
                })
                .collect();
            (vpcs, page.next_token().map(str::to_owned))
        },
    )
    .await
}

pub async fn flow_logs(client: &Client, gate: &CallGate, region: &str) -> Result<Vec<FlowLog>, CollectError> {
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeFlowLogs" };
    site.all_pages(
        |token| client.describe_flow_logs().set_next_token(token).max_results(1000).send(),
        |page| {
            let logs = page
                .flow_logs()
                .iter()
                .map(|log| FlowLog {
                    id: log.flow_log_id().unwrap_or_default().to_owned(),
                    resource_id: log.resource_id().unwrap_or_default().to_owned(),
                    status: log.flow_log_status().map(str::to_owned),
                    traffic_type: log.traffic_type().map(|kind| kind.as_str().to_owned()),
                    destination_type: log.log_destination_type().map(|kind| kind.as_str().to_owned()),
                })
                .collect();
            (logs, page.next_token().map(str::to_owned))
        },
    )
    .await
}
