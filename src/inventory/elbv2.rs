//! Elastic Load Balancing (v2) inventory: the region's load balancers, the
//! listeners of those the internet can reach, and the target groups that
//! say which services sit behind them.

use aws_sdk_elasticloadbalancingv2::Client;
use serde::{Deserialize, Serialize};

use super::Collected;
use super::features::FeaturesOff;
use super::paginate::CallSite;
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service};

/// `DescribeLoadBalancers` and `DescribeTargetGroups` take a page size of at most 400.
const PAGE_SIZE: i32 = 400;

/// The scheme of a load balancer the internet can reach.
pub const INTERNET_FACING: &str = "internet-facing";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Elbv2Region {
    pub load_balancers: Collected<Vec<LoadBalancer>>,
    /// Every target group of the region, whatever it is attached to.
    pub target_groups: Collected<Vec<TargetGroup>>,
    /// Load balancing, when the region or partition does not offer it
    /// (`inventory::features`): both listings are then empty.
    #[serde(default, skip_serializing_if = "FeaturesOff::is_empty")]
    pub features_off: FeaturesOff,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// `application`, `network` or `gateway`.
    pub kind: String,
    /// Security group ids (application load balancers; network ones may have none).
    pub security_groups: Vec<String>,
    /// `DescribeListeners`, for internet-facing load balancers only;
    /// `NotRequested` for internal ones.
    pub listeners: Collected<Vec<Listener>>,
}

impl LoadBalancer {
    pub fn is_internet_facing(&self) -> bool {
        self.scheme == INTERNET_FACING
    }
}

super::resource!(LoadBalancer, name, arn, |balancer| super::Label {
    name: balancer.name.clone(),
    details: format!("{} {}", balancer.scheme, balancer.kind),
    ..super::Label::default()
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listener {
    pub port: Option<i32>,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`, ...
    pub protocol: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    /// `instance`, `ip`, `lambda` or `alb`.
    pub target_type: Option<String>,
    /// The load balancers whose listeners or rules forward to it.
    pub load_balancer_arns: Vec<String>,
}

super::resource!(TargetGroup, name, arn);

/// Every load balancer of the region, the internet-facing ones with their listeners.
pub async fn load_balancers(client: &Client, gate: &CallGate, region: &str) -> Result<Vec<LoadBalancer>, CollectError> {
    let site = CallSite { gate, service: Service::Elbv2, region, operation: "DescribeLoadBalancers" };
    let listed = site
        .all_pages(
            |marker| client.describe_load_balancers().set_marker(marker).page_size(PAGE_SIZE).send(),
            |page| (page.load_balancers().to_vec(), page.next_marker().map(str::to_owned)),
        )
        .await?;
    let balancers = listed.into_iter().map(|balancer| async move {
        let arn = balancer.load_balancer_arn().unwrap_or_default().to_owned();
        let scheme = balancer.scheme().map(|scheme| scheme.as_str().to_owned()).unwrap_or_default();
        // An internal load balancer has private addresses only: the internet
        // cannot reach it whatever it listens on, so its listeners are not
        // asked for (DescribeListeners has no batch form: one call each).
        let listeners = if scheme == INTERNET_FACING {
            listeners(client, gate, region, &arn).await.into()
        } else {
            Collected::NotRequested
        };
        LoadBalancer {
            name: balancer.load_balancer_name().unwrap_or_default().to_owned(),
            kind: balancer.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
            security_groups: balancer.security_groups().to_vec(),
            arn,
            scheme,
            listeners,
        }
    });
    Ok(join_all(balancers).await)
}

async fn listeners(
    client: &Client,
    gate: &CallGate,
    region: &str,
    load_balancer: &str,
) -> Result<Vec<Listener>, CollectError> {
    let site = CallSite { gate, service: Service::Elbv2, region, operation: "DescribeListeners" };
    site.all_pages(
        |marker| client.describe_listeners().load_balancer_arn(load_balancer).set_marker(marker).send(),
        |page| {
            let listeners = page
                .listeners()
                .iter()
                .map(|listener| Listener {
                    port: listener.port(),
                    protocol: listener.protocol().map(|protocol| protocol.as_str().to_owned()),
                })
                .collect();
            (listeners, page.next_marker().map(str::to_owned))
        },
    )
    .await
}

/// Every target group of the region: one listing, not one per load balancer.
pub async fn target_groups(client: &Client, gate: &CallGate, region: &str) -> Result<Vec<TargetGroup>, CollectError> {
    let site = CallSite { gate, service: Service::Elbv2, region, operation: "DescribeTargetGroups" };
    site.all_pages(
        |marker| client.describe_target_groups().set_marker(marker).page_size(PAGE_SIZE).send(),
        |page| {
            let groups = page
                .target_groups()
                .iter()
                .map(|group| TargetGroup {
                    arn: group.target_group_arn().unwrap_or_default().to_owned(),
                    name: group.target_group_name().unwrap_or_default().to_owned(),
                    port: group.port(),
                    protocol: group.protocol().map(|protocol| protocol.as_str().to_owned()),
                    target_type: group.target_type().map(|kind| kind.as_str().to_owned()),
                    load_balancer_arns: group.load_balancer_arns().to_vec(),
                })
                .collect();
            (groups, page.next_marker().map(str::to_owned))
        },
    )
    .await
}
