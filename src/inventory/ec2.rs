//! EC2 networking inventory: security groups, the network interfaces that
//! carry them, network ACLs, route tables, and the account's enabled regions.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::RuleAction;
use serde::{Deserialize, Serialize};

use super::paginate::CallSite;
use super::vpc::{FlowLog, Vpc};
use super::{AccountTarget, Collected};
use crate::aws::{CallGate, CollectError, Service};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ec2Region {
    pub security_groups: Collected<Vec<SecurityGroup>>,
    pub network_interfaces: Collected<Vec<NetworkInterface>>,
    pub network_acls: Collected<Vec<NetworkAcl>>,
    /// Which subnets route IPv6 to an internet gateway (`DescribeRouteTables`).
    #[serde(default)]
    pub route_tables: Collected<Vec<RouteTable>>,
    #[serde(default)]
    pub vpcs: Collected<Vec<Vpc>>,
    /// Every flow log of the region, of VPCs, subnets and interfaces alike.
    #[serde(default)]
    pub flow_logs: Collected<Vec<FlowLog>>,
}

impl Ec2Region {
    pub fn errors(&self) -> impl Iterator<Item = &CollectError> {
        [
            self.security_groups.error(),
            self.network_interfaces.error(),
            self.network_acls.error(),
            self.route_tables.error(),
            self.vpcs.error(),
            self.flow_logs.error(),
        ]
        .into_iter()
        .flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub description: String,
    pub vpc_id: Option<String>,
    pub ingress: Vec<IpPermission>,
    pub egress: Vec<IpPermission>,
    pub tags: Vec<Tag>,
}

super::resource!(SecurityGroup, id, arn, |group| super::Label {
    name: group.name.clone(),
    tags: tag_map(&group.tags),
    details: group.description.clone(),
});

/// An IP protocol as security group and network ACL rules name it: the API
/// gives a name (`tcp`), an IANA number (`6`) or `-1` for all traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Another IANA protocol number.
    Number(u8),
    /// Text that is neither a known name nor a number, kept as given.
    Other(String),
}

impl Protocol {
    pub fn parse(text: &str) -> Protocol {
        match text.to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            other => other.parse().map_or_else(|_| Protocol::Other(text.to_owned()), Protocol::Number),
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Tcp => f.write_str("tcp"),
            Protocol::Udp => f.write_str("udp"),
            Protocol::Icmp => f.write_str("icmp"),
            Protocol::Icmpv6 => f.write_str("icmpv6"),
            Protocol::Number(number) => write!(f, "{number}"),
            Protocol::Other(text) => f.write_str(text),
        }
    }
}

/// One rule of a security group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpPermission {
    pub protocol: Protocol,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub id: String,
    pub security_group_ids: Vec<String>,
    pub public_ip: Option<String>,
    /// Its IPv6 addresses: every one is globally routable, so whether the
    /// internet reaches it is up to its subnet's routes and security groups.
    #[serde(default)]
    pub ipv6_addresses: Vec<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
}

/// A route table: the subnets associated with it (or all others of its VPC,
/// when it is the main one) and its routes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: Option<String>,
    /// The VPC's main route table, which serves every subnet not associated with another.
    pub main: bool,
    pub subnet_ids: Vec<String>,
    pub routes: Vec<Route>,
}

impl RouteTable {
    /// The route table that serves `subnet` of `vpc`: its own association, else the VPC's main table.
    pub fn of_subnet<'a>(tables: &'a [RouteTable], vpc: &str, subnet: &str) -> Option<&'a RouteTable> {
        tables
            .iter()
            .find(|table| table.subnet_ids.iter().any(|id| id == subnet))
            .or_else(|| tables.iter().find(|table| table.main && table.vpc_id.as_deref() == Some(vpc)))
    }

    /// The internet gateway an IPv6 route sends traffic to, if one does:
    /// inbound IPv6 from the internet comes back the same way. An
    /// egress-only gateway lets nothing in, and a blackhole route is no path.
    pub fn ipv6_internet_gateway(&self) -> Option<&str> {
        self.routes
            .iter()
            .filter(|route| route.destination_ipv6.as_deref().is_some_and(|cidr| !cidr.is_empty()))
            .filter(|route| route.state.as_deref() != Some("blackhole"))
            .filter_map(|route| route.gateway_id.as_deref())
            .find(|gateway| gateway.starts_with("igw-"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub destination_ipv4: Option<String>,
    pub destination_ipv6: Option<String>,
    /// An internet gateway (`igw-`), a virtual private gateway or `local`.
    pub gateway_id: Option<String>,
    /// An egress-only internet gateway (`eigw-`): out, never in.
    pub egress_only_gateway_id: Option<String>,
    /// `active` or `blackhole`.
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    pub arn: String,
    pub vpc_id: Option<String>,
    pub is_default: bool,
    pub entries: Vec<NetworkAclEntry>,
    pub subnet_ids: Vec<String>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AclAction {
    Allow,
    Deny,
}

/// A NACL rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAclEntry {
    pub rule_number: i32,
    pub egress: bool,
    pub protocol: Protocol,
    pub action: AclAction,
    pub ipv4_cidr: Option<String>,
    pub ipv6_cidr: Option<String>,
    pub port_range: Option<(i32, i32)>,
}

super::resource!(NetworkAcl, id, arn, |acl| {
    let tags = tag_map(&acl.tags);
    super::Label { name: tags.get("Name").cloned().unwrap_or_default(), tags, details: String::new() }
});

fn tag_map(tags: &[Tag]) -> std::collections::BTreeMap<String, String> {
    tags.iter().map(|tag| (tag.key.clone(), tag.value.clone())).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

fn tags(sdk_tags: &[aws_sdk_ec2::types::Tag]) -> Vec<Tag> {
    sdk_tags
        .iter()
        .map(|tag| Tag {
            key: tag.key().unwrap_or_default().to_owned(),
            value: tag.value().unwrap_or_default().to_owned(),
        })
        .collect()
}

/// An enabled region, as `DescribeRegions` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionStatus {
    pub name: String,
    pub enabled: bool,
}

pub async fn describe_regions(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<Vec<RegionStatus>, CollectError> {
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeRegions" };
    let output = site.once(|| client.describe_regions().all_regions(true).send()).await?;
    Ok(output
        .regions()
        .iter()
        .filter_map(|region| {
            let name = region.region_name()?.to_owned();
            let enabled = matches!(region.opt_in_status(), None | Some("opt-in-not-required") | Some("opted-in"));
            Some(RegionStatus { name, enabled })
        })
        .collect())
}

pub async fn security_groups(
    client: &Client,
    gate: &CallGate,
    account: &AccountTarget,
    region: &str,
) -> Result<Vec<SecurityGroup>, CollectError> {
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeSecurityGroups" };
    site.all_pages(
        |token| client.describe_security_groups().set_next_token(token).max_results(1000).send(),
        |page| {
            let groups = page.security_groups().iter().map(|group| security_group(group, account, region)).collect();
            (groups, page.next_token().map(str::to_owned))
        },
    )
    .await
}

fn security_group(group: &aws_sdk_ec2::types::SecurityGroup, account: &AccountTarget, region: &str) -> SecurityGroup {
    let id = group.group_id().unwrap_or_default().to_owned();
    SecurityGroup {
        arn: account.arn("ec2", region, &format!("security-group/{id}")),
        id,
        name: group.group_name().unwrap_or_default().to_owned(),
        description: group.description().unwrap_or_default().to_owned(),
        vpc_id: group.vpc_id().map(str::to_owned),
        ingress: group.ip_permissions().iter().map(ip_permission).collect(),
        egress: group.ip_permissions_egress().iter().map(ip_permission).collect(),
        tags: tags(group.tags()),
    }
}

fn ip_permission(permission: &aws_sdk_ec2::types::IpPermission) -> IpPermission {
    IpPermission {
        protocol: Protocol::parse(permission.ip_protocol().unwrap_or("-1")),
        from_port: permission.from_port(),
        to_port: permission.to_port(),
        ipv4_ranges: permission.ip_ranges().iter().filter_map(|r| r.cidr_ip().map(str::to_owned)).collect(),
        ipv6_ranges: permission.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6().map(str::to_owned)).collect(),
    }
}

pub async fn network_interfaces(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<Vec<NetworkInterface>, CollectError> {
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeNetworkInterfaces" };
    site.all_pages(
        |token| client.describe_network_interfaces().set_next_token(token).max_results(1000).send(),
        |page| {
            let interfaces = page
                .network_interfaces()
                .iter()
                .map(|interface| NetworkInterface {
                    id: interface.network_interface_id().unwrap_or_default().to_owned(),
                    security_group_ids: interface
                        .groups()
                        .iter()
                        .filter_map(|group| group.group_id().map(str::to_owned))
                        .collect(),
                    public_ip: interface
                        .association()
                        .and_then(|association| association.public_ip())
                        .map(str::to_owned),
                    ipv6_addresses: interface
                        .ipv6_addresses()
                        .iter()
                        .filter_map(|address| address.ipv6_address().map(str::to_owned))
                        .collect(),
                    subnet_id: interface.subnet_id().map(str::to_owned),
                    vpc_id: interface.vpc_id().map(str::to_owned),
                })
                .collect();
            (interfaces, page.next_token().map(str::to_owned))
        },
    )
    .await
}

/// Every route table of the region: one listing, 100 a page (its maximum).
pub async fn route_tables(client: &Client, gate: &CallGate, region: &str) -> Result<Vec<RouteTable>, CollectError> {
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeRouteTables" };
    site.all_pages(
        |token| client.describe_route_tables().set_next_token(token).max_results(100).send(),
        |page| {
            let tables = page.route_tables().iter().map(route_table).collect();
            (tables, page.next_token().map(str::to_owned))
        },
    )
    .await
}

fn route_table(table: &aws_sdk_ec2::types::RouteTable) -> RouteTable {
    RouteTable {
        id: table.route_table_id().unwrap_or_default().to_owned(),
        vpc_id: table.vpc_id().map(str::to_owned),
        main: table.associations().iter().any(|association| association.main() == Some(true)),
        subnet_ids: table
            .associations()
            .iter()
            .filter_map(|association| association.subnet_id().map(str::to_owned))
            .collect(),
        routes: table
            .routes()
            .iter()
            .map(|route| Route {
                destination_ipv4: given(route.destination_cidr_block()),
                destination_ipv6: given(route.destination_ipv6_cidr_block()),
                gateway_id: given(route.gateway_id()),
                egress_only_gateway_id: given(route.egress_only_internet_gateway_id()),
                state: route.state().map(|state| state.as_str().to_owned()),
            })
            .collect(),
    }
}

/// A field as given, or `None` when the answer holds it empty: an IPv4
/// route may carry an empty IPv6 destination, which is no IPv6 route.
fn given(value: Option<&str>) -> Option<String> {
    value.filter(|value| !value.is_empty()).map(str::to_owned)
}

pub async fn network_acls(
    client: &Client,
    gate: &CallGate,
    account: &AccountTarget,
    region: &str,
) -> Result<Vec<NetworkAcl>, CollectError> {
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeNetworkAcls" };
    site.all_pages(
        |token| client.describe_network_acls().set_next_token(token).max_results(1000).send(),
        |page| {
            let acls = page.network_acls().iter().map(|acl| network_acl(acl, account, region)).collect();
            (acls, page.next_token().map(str::to_owned))
        },
    )
    .await
}

fn network_acl(acl: &aws_sdk_ec2::types::NetworkAcl, account: &AccountTarget, region: &str) -> NetworkAcl {
    let id = acl.network_acl_id().unwrap_or_default().to_owned();
    NetworkAcl {
        arn: account.arn("ec2", region, &format!("network-acl/{id}")),
        id,
        vpc_id: acl.vpc_id().map(str::to_owned),
        is_default: acl.is_default().unwrap_or(false),
        entries: acl
            .entries()
            .iter()
            .map(|entry| NetworkAclEntry {
                rule_number: entry.rule_number().unwrap_or(i32::MAX),
                egress: entry.egress().unwrap_or(false),
                protocol: Protocol::parse(entry.protocol().unwrap_or("-1")),
                action: match entry.rule_action() {
                    Some(RuleAction::Allow) => AclAction::Allow,
                    _ => AclAction::Deny,
                },
                ipv4_cidr: entry.cidr_block().map(str::to_owned),
                ipv6_cidr: entry.ipv6_cidr_block().map(str::to_owned),
                port_range: entry.port_range().map(|range| (range.from().unwrap_or(0), range.to().unwrap_or(65535))),
            })
            .collect(),
        subnet_ids: acl
            .associations()
            .iter()
            .filter_map(|association| association.subnet_id().map(str::to_owned))
            .collect(),
        tags: tags(acl.tags()),
    }
}

/// Pagination, which the emulator does not do, covered by SDK-level stubs.
#[cfg(test)]
mod pagination_tests {
    use std::num::NonZeroUsize;

    use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsOutput;
    use aws_sdk_ec2::types::SecurityGroup as SdkGroup;
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    use super::*;
    use crate::aws::{ConcurrencyLimits, ErrorKind};

    fn client(rules: &[&Rule]) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "stub"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(config)
    }

    fn page(ids: &[&str], next: Option<&str>) -> DescribeSecurityGroupsOutput {
        DescribeSecurityGroupsOutput::builder()
            .set_security_groups(Some(ids.iter().map(|id| SdkGroup::builder().group_id(*id).build()).collect()))
            .set_next_token(next.map(str::to_owned))
            .build()
    }

    fn page_rule(token: Option<&'static str>, ids: &'static [&'static str], next: Option<&'static str>) -> Rule {
        mock!(Client::describe_security_groups)
            .match_requests(move |input| input.next_token() == token)
            .then_output(move || page(ids, next))
    }

    fn target() -> AccountTarget {
        AccountTarget { account_id: "111122223333".into(), partition: "aws".into(), regions: vec!["eu-west-1".into()] }
    }

    fn gate() -> CallGate {
        CallGate::new(ConcurrencyLimits {
            global: NonZeroUsize::new(4).unwrap(),
            per_endpoint: NonZeroUsize::new(2).unwrap(),
        })
    }

    #[tokio::test]
    async fn follows_every_page() {
        let rules = [
            page_rule(None, &["sg-1", "sg-2"], Some("t1")),
            page_rule(Some("t1"), &["sg-3"], Some("t2")),
            page_rule(Some("t2"), &["sg-4"], None),
        ];
        let client = client(&rules.iter().collect::<Vec<_>>());
        let groups = security_groups(&client, &gate(), &target(), "eu-west-1").await.unwrap();
        let ids: Vec<&str> = groups.iter().map(|group| group.id.as_str()).collect();
        assert_eq!(ids, ["sg-1", "sg-2", "sg-3", "sg-4"]);
        assert_eq!(rules.iter().map(Rule::num_calls).sum::<usize>(), 3);
    }

    #[tokio::test]
    async fn a_repeated_token_is_an_error_not_a_short_list() {
        let rules = [page_rule(None, &["sg-1"], Some("t1")), page_rule(Some("t1"), &["sg-2"], Some("t1"))];
        let client = client(&rules.iter().collect::<Vec<_>>());
        let err = security_groups(&client, &gate(), &target(), "eu-west-1").await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::MalformedResponse);
        assert_eq!(err.operation, "DescribeSecurityGroups");
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_whole_listing() {
        let first = page_rule(None, &["sg-1"], Some("t1"));
        let denied = mock!(Client::describe_security_groups)
            .match_requests(|input| input.next_token() == Some("t1"))
            .then_http_response(|| {
                aws_smithy_runtime_api::http::Response::new(
                    aws_smithy_runtime_api::http::StatusCode::try_from(403).unwrap(),
                    aws_smithy_types::body::SdkBody::from(
                        "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors></Response>",
                    ),
                )
            });
        let client = client(&[&first, &denied]);
        let err = security_groups(&client, &gate(), &target(), "eu-west-1").await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    }
}
