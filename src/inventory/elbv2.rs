//! Elastic Load Balancing (v2) inventory: the region's load balancers, their
//! listeners and attributes, the target groups that say which services sit
//! behind them, and the WAFv2 web ACLs associated with them.

use aws_sdk_elasticloadbalancingv2::Client;
use serde::{Deserialize, Serialize};

use super::features::FeaturesOff;
use super::paginate::CallSite;
use super::{Collected, requested};
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
    /// The region's WAFv2 web ACLs with the application load balancers each
    /// protects; asked for only where an internet-facing one exists.
    #[serde(default)]
    pub web_acls: Collected<Vec<WebAcl>>,
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
    /// `ipv4`, `dualstack` or `dualstack-without-public-ipv4`: the address
    /// families clients reach it over.
    #[serde(default)]
    pub ip_address_type: Option<String>,
    /// `DescribeListeners`: for internet-facing load balancers always, for
    /// internal ones when a check judges every listener.
    pub listeners: Collected<Vec<Listener>>,
    /// `DescribeLoadBalancerAttributes`, when a check judges them.
    #[serde(default)]
    pub attributes: Collected<Attributes>,
}

/// The attributes the checks judge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attributes {
    /// `access_logs.s3.enabled`.
    pub access_logs: bool,
    /// `access_logs.s3.bucket`.
    pub access_logs_bucket: Option<String>,
    /// `routing.http.drop_invalid_header_fields.enabled` (application load balancers only).
    pub drop_invalid_header_fields: Option<bool>,
}

/// A WAFv2 web ACL of regional scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebAcl {
    pub arn: String,
    pub name: String,
    /// `ListResourcesForWebACL` (application load balancers).
    pub protects: Collected<Vec<String>>,
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
    /// The ELB security policy of an `HTTPS` or `TLS` listener.
    #[serde(default)]
    pub ssl_policy: Option<String>,
    #[serde(default)]
    pub default_actions: Vec<ListenerAction>,
}

impl Listener {
    /// `HTTP 80`, for messages.
    pub fn describe(&self) -> String {
        let protocol = self.protocol.as_deref().unwrap_or("?");
        let port = self.port.map_or_else(|| "?".to_owned(), |port| port.to_string());
        format!("{protocol} {port}")
    }
}

/// One default action of a listener.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListenerAction {
    /// `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, ...
    pub kind: String,
    /// Where a `redirect` sends the client: `HTTPS`, `HTTP` or `#{protocol}`.
    pub redirect_protocol: Option<String>,
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

/// What to read of each load balancer beyond the listing.
#[derive(Debug, Clone, Copy)]
pub struct Reads {
    /// The listeners of internal load balancers too.
    pub every_listener: bool,
    pub attributes: bool,
}

/// Every load balancer of the region, with its listeners and attributes as `reads` asks.
pub async fn load_balancers(
    client: &Client,
    gate: &CallGate,
    region: &str,
    reads: Reads,
) -> Result<Vec<LoadBalancer>, CollectError> {
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
        // cannot reach it whatever it listens on, so its listeners are asked
        // for only when a check judges them (DescribeListeners and
        // DescribeLoadBalancerAttributes have no batch form: one call each).
        let (listeners, attributes) = futures::join!(
            requested(scheme == INTERNET_FACING || reads.every_listener, listeners(client, gate, region, &arn)),
            requested(reads.attributes, attributes(client, gate, region, &arn)),
        );
        LoadBalancer {
            name: balancer.load_balancer_name().unwrap_or_default().to_owned(),
            kind: balancer.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
            security_groups: balancer.security_groups().to_vec(),
            ip_address_type: balancer.ip_address_type().map(|kind| kind.as_str().to_owned()),
            arn,
            scheme,
            listeners,
            attributes,
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
                    ssl_policy: listener.ssl_policy().map(str::to_owned),
                    default_actions: listener
                        .default_actions()
                        .iter()
                        .map(|action| ListenerAction {
                            kind: action.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
                            redirect_protocol: action
                                .redirect_config()
                                .and_then(|redirect| redirect.protocol())
                                .map(str::to_owned),
                        })
                        .collect(),
                })
                .collect();
            (listeners, page.next_marker().map(str::to_owned))
        },
    )
    .await
}

async fn attributes(
    client: &Client,
    gate: &CallGate,
    region: &str,
    load_balancer: &str,
) -> Result<Attributes, CollectError> {
    let site = CallSite { gate, service: Service::Elbv2, region, operation: "DescribeLoadBalancerAttributes" };
    let output =
        site.once(|| client.describe_load_balancer_attributes().load_balancer_arn(load_balancer).send()).await?;
    let mut attributes = Attributes::default();
    for attribute in output.attributes() {
        let value = attribute.value().unwrap_or_default();
        match attribute.key().unwrap_or_default() {
            "access_logs.s3.enabled" => attributes.access_logs = value == "true",
            "access_logs.s3.bucket" if !value.is_empty() => attributes.access_logs_bucket = Some(value.to_owned()),
            "routing.http.drop_invalid_header_fields.enabled" => {
                attributes.drop_invalid_header_fields = Some(value == "true");
            }
            _ => {}
        }
    }
    Ok(attributes)
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
