//! Inventory built in code: one resource of each kind with plain defaults,
//! for the checks' offline tests (`tests/checks/`). Each constructor gives a
//! resource that every check judges without surprises (private, unshared,
//! nothing attached); a test changes the fields its case is about.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::cloudtrail::{EventSelectors, Trail, TrailStatus};
use super::ec2::{
    AclAction, IpPermission, NetworkAcl, NetworkAclEntry, NetworkInterface, Protocol, Route, RouteTable, SecurityGroup,
};
use super::ecr::{Image, ImageScan, Repository, ScanResult};
use super::ecs::{
    Cluster, Container, EcsService, EnvironmentVariable, PortMapping, RunningContainer, RunningTask, TaskDefinition,
    TaskDefinitionEntry,
};
use super::elbv2::{Attributes, Listener, ListenerAction, LoadBalancer, WebAcl};
use super::iam::{AccessKeyReport, CredentialReport, CredentialReportRow, IamAccount, ManagedPolicy, ReportDate};
use super::image_configs::{HistoryStep, ImageConfig, ImageUse, RegistryImage};
use super::image_layers::ImageLayers;
use super::vpc::{FlowLog, Vpc};
use super::{AccountInventory, Collected, RegionInventory};
use crate::aws::{CollectError, ErrorKind, Service};

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "eu-west-1";

/// An account with one region, [`REGION`], in which nothing was requested.
pub fn account() -> AccountInventory {
    AccountInventory {
        account_id: ACCOUNT.to_owned(),
        partition: "aws".to_owned(),
        regions: BTreeMap::from([(REGION.to_owned(), RegionInventory::default())]),
        trails: BTreeMap::new(),
        iam: IamAccount { region: "us-east-1".to_owned(), ..IamAccount::default() },
        registry_images: Collected::NotRequested,
    }
}

/// [`account`] with `edit` applied to its region.
pub fn account_with(edit: impl FnOnce(&mut RegionInventory)) -> AccountInventory {
    let mut account = account();
    edit(account.regions.get_mut(REGION).expect("the fixture account has its region"));
    account
}

/// A call that failed as AWS denies it.
pub fn denied(service: Service, operation: &str) -> CollectError {
    CollectError::new(service, operation, REGION, ErrorKind::AccessDenied, "AccessDeniedException: not authorized")
}

/// A point in time, from RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    text.parse().expect("a fixture timestamp is RFC 3339")
}

// EC2

pub fn security_group(id: &str) -> SecurityGroup {
    SecurityGroup {
        arn: format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{id}"),
        id: id.to_owned(),
        name: format!("{id}-name"),
        description: "fixture".to_owned(),
        vpc_id: Some("vpc-1".to_owned()),
        ingress: Vec::new(),
        egress: Vec::new(),
        tags: Vec::new(),
    }
}

/// A rule for `protocol` over `ports` (inclusive) from `cidr` (v4 or v6).
pub fn permission(protocol: Protocol, ports: Option<(i32, i32)>, cidr: &str) -> IpPermission {
    let (ipv4, ipv6) =
        if cidr.contains(':') { (vec![], vec![cidr.to_owned()]) } else { (vec![cidr.to_owned()], vec![]) };
    IpPermission {
        protocol,
        from_port: ports.map(|(from, _)| from),
        to_port: ports.map(|(_, to)| to),
        ipv4_ranges: ipv4,
        ipv6_ranges: ipv6,
    }
}

pub fn network_interface(id: &str, groups: &[&str], public_ip: Option<&str>) -> NetworkInterface {
    NetworkInterface {
        id: id.to_owned(),
        security_group_ids: groups.iter().map(|group| group.to_string()).collect(),
        public_ip: public_ip.map(str::to_owned),
        ipv6_addresses: Vec::new(),
        subnet_id: Some("subnet-1".to_owned()),
        vpc_id: Some("vpc-1".to_owned()),
    }
}

/// `vpc-1`'s main route table: every subnet without one of its own uses it;
/// `ipv6_gateway` is where its `::/0` route goes (`igw-...`, `eigw-...`), if it has one.
pub fn main_route_table(id: &str, ipv6_gateway: Option<&str>) -> RouteTable {
    let mut routes = vec![Route {
        destination_ipv4: Some("172.31.0.0/16".to_owned()),
        destination_ipv6: None,
        gateway_id: Some("local".to_owned()),
        egress_only_gateway_id: None,
        state: Some("active".to_owned()),
    }];
    if let Some(gateway) = ipv6_gateway {
        let egress_only = gateway.starts_with("eigw-");
        routes.push(Route {
            destination_ipv4: None,
            destination_ipv6: Some("::/0".to_owned()),
            gateway_id: (!egress_only).then(|| gateway.to_owned()),
            egress_only_gateway_id: egress_only.then(|| gateway.to_owned()),
            state: Some("active".to_owned()),
        });
    }
    RouteTable { id: id.to_owned(), vpc_id: Some("vpc-1".to_owned()), main: true, subnet_ids: Vec::new(), routes }
}

pub fn network_acl(id: &str) -> NetworkAcl {
    NetworkAcl {
        arn: format!("arn:aws:ec2:{REGION}:{ACCOUNT}:network-acl/{id}"),
        id: id.to_owned(),
        vpc_id: Some("vpc-1".to_owned()),
        is_default: false,
        entries: Vec::new(),
        subnet_ids: Vec::new(),
        tags: Vec::new(),
    }
}

/// A VPC with no tags.
pub fn vpc(id: &str) -> Vpc {
    Vpc {
        arn: format!("arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{id}"),
        id: id.to_owned(),
        is_default: false,
        cidr_block: Some("10.0.0.0/16".to_owned()),
        tags: Vec::new(),
    }
}

/// An active flow log of `resource` (a VPC id) recording all traffic to S3.
pub fn flow_log(id: &str, resource: &str) -> FlowLog {
    FlowLog {
        id: id.to_owned(),
        resource_id: resource.to_owned(),
        status: Some("ACTIVE".to_owned()),
        traffic_type: Some("ALL".to_owned()),
        destination_type: Some("s3".to_owned()),
    }
}

// Elastic Load Balancing v2

/// A load balancer of `kind` (`application`, `network`) and `scheme`
/// (`internet-facing`, `internal`), IPv4 only, with no security group, no
/// listener, and default attributes (no access logs, invalid headers kept).
pub fn load_balancer(name: &str, scheme: &str, kind: &str) -> LoadBalancer {
    let short = if kind == "network" { "net" } else { "app" };
    LoadBalancer {
        arn: format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{short}/{name}/1"),
        name: name.to_owned(),
        scheme: scheme.to_owned(),
        kind: kind.to_owned(),
        security_groups: Vec::new(),
        ip_address_type: Some("ipv4".to_owned()),
        listeners: Collected::Ok(Vec::new()),
        attributes: Collected::Ok(Attributes {
            drop_invalid_header_fields: (kind == "application").then_some(false),
            ..Attributes::default()
        }),
    }
}

/// A listener on `port` with `protocol` that forwards to a target group;
/// an `HTTPS` or `TLS` one with ELB's recommended security policy.
pub fn listener(port: i32, protocol: &str) -> Listener {
    let tls = matches!(protocol, "HTTPS" | "TLS");
    Listener {
        port: Some(port),
        protocol: Some(protocol.to_owned()),
        ssl_policy: tls.then(|| "ELBSecurityPolicy-TLS13-1-2-2021-06".to_owned()),
        default_actions: vec![ListenerAction { kind: "forward".to_owned(), redirect_protocol: None }],
    }
}

/// A web ACL that protects `load_balancers` (ARNs).
pub fn web_acl(name: &str, load_balancers: &[&str]) -> WebAcl {
    WebAcl {
        arn: format!("arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/{name}/1"),
        name: name.to_owned(),
        protects: Collected::Ok(load_balancers.iter().map(|arn| arn.to_string()).collect()),
    }
}

/// An inbound NACL rule.
pub fn acl_entry(
    rule_number: i32,
    protocol: Protocol,
    ports: Option<(i32, i32)>,
    action: AclAction,
    cidr: &str,
) -> NetworkAclEntry {
    let v6 = cidr.contains(':');
    NetworkAclEntry {
        rule_number,
        egress: false,
        protocol,
        action,
        ipv4_cidr: (!v6).then(|| cidr.to_owned()),
        ipv6_cidr: v6.then(|| cidr.to_owned()),
        port_range: ports,
    }
}

// ECR

/// A private repository with no policy, nothing requested beyond the listing.
pub fn repository(name: &str) -> Repository {
    Repository {
        name: name.to_owned(),
        arn: format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"),
        registry_id: ACCOUNT.to_owned(),
        policy: Collected::Ok(None),
        images: Collected::Ok(Vec::new()),
        scan_on_push: false,
        tag_mutability: "MUTABLE".to_owned(),
        encryption_type: "AES256".to_owned(),
        kms_key: None,
        lifecycle_policy: Collected::Ok(None),
        scanning: Collected::NotRequested,
        latest_image_scan: Collected::Ok(None),
    }
}

/// An image of `repository` tagged `tag`, digest `sha256:<hex>`.
pub fn image(repository: &Repository, hex: &str, tags: &[&str]) -> Image {
    let digest = format!("sha256:{hex}");
    Image {
        id: format!("{}@{digest}", repository.name),
        arn: format!("{}/{digest}", repository.arn),
        digest,
        tags: tags.iter().map(|tag| tag.to_string()).collect(),
        pushed_at: Some(at("2026-01-01T00:00:00Z")),
        artifact_media_type: None,
        subject_digest: None,
        referrers: Collected::NotRequested,
        managed_signing: Collected::NotRequested,
        scan: None,
        scan_status: None,
    }
}

/// The scan of `image`, completed with the given `(severity, count)`s.
pub fn image_scan(image: &Image, counts: &[(&str, i32)]) -> ImageScan {
    ImageScan {
        id: image.id.clone(),
        arn: image.arn.clone(),
        digest: image.digest.clone(),
        tags: image.tags.clone(),
        result: Some(ScanResult {
            status: Some("COMPLETE".to_owned()),
            completed_at: Some(at("2026-01-01T01:00:00Z")),
            severity_counts: counts.iter().map(|(severity, count)| (severity.to_string(), *count)).collect(),
        }),
    }
}

// CloudTrail

/// A single-region trail homed in [`REGION`], logging, default selectors.
pub fn trail(name: &str) -> Trail {
    Trail {
        arn: format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"),
        name: name.to_owned(),
        home_region: REGION.to_owned(),
        multi_region: false,
        organization_trail: false,
        log_file_validation: false,
        kms_key_id: None,
        cloudwatch_logs_group_arn: None,
        has_custom_event_selectors: false,
        status: Collected::Ok(TrailStatus {
            is_logging: true,
            latest_delivery_time: None,
            latest_cloudwatch_logs_delivery_time: None,
        }),
        event_selectors: Collected::Ok(EventSelectors::default()),
    }
}

/// [`account`] with `trails` listed in its region and known to the account.
pub fn account_with_trails(trails: Vec<Trail>) -> AccountInventory {
    let mut account = account_with(|region| {
        region.cloudtrail.trail_arns = Collected::Ok(trails.iter().map(|trail| trail.arn.clone()).collect());
    });
    account.trails = trails.into_iter().map(|trail| (trail.arn.clone(), trail)).collect();
    account
}

// ECS

pub fn cluster(name: &str) -> Cluster {
    Cluster {
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}"),
        name: name.to_owned(),
        container_insights: None,
        services: Collected::Ok(Vec::new()),
        undescribed_services: Vec::new(),
        running_task_definitions: Collected::Ok(Vec::new()),
        running_tasks: Collected::Ok(Vec::new()),
    }
}

/// A service of `cluster` launched on EC2 with no public IP setting.
pub fn service(cluster: &Cluster, name: &str) -> EcsService {
    EcsService {
        id: format!("{}/{name}", cluster.name),
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/{}/{name}", cluster.name),
        name: name.to_owned(),
        cluster_arn: cluster.arn.clone(),
        launch_type: Some("EC2".to_owned()),
        capacity_providers: Vec::new(),
        platform_version: None,
        platform_family: None,
        assign_public_ip: None,
        task_definition: String::new(),
        load_balancers: Vec::new(),
        task_sets: Vec::new(),
    }
}

/// A container that breaks no task definition rule: non-root, read-only,
/// logging non-blocking, image pinned in this account's ECR.
pub fn container(name: &str) -> Container {
    // Everything else as `Container::default()` gives it: unset, empty.
    Container {
        name: name.to_owned(),
        image: format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app@sha256:{}", "a".repeat(64)),
        user: Some("1000".to_owned()),
        readonly_root_filesystem: Some(true),
        log_driver: Some("awslogs".to_owned()),
        log_options: BTreeMap::from([("mode".to_owned(), "non-blocking".to_owned())]),
        port_mappings: vec![PortMapping { container_port: 8080, protocol: "tcp".to_owned() }],
        ..Container::default()
    }
}

/// A RUNNING task of `cluster` started by service `service` (standalone
/// when `None`), running `definition` with each container on the digest
/// its image pins.
pub fn running_task(cluster: &Cluster, service: Option<&str>, definition: &TaskDefinition) -> RunningTask {
    let task_id = format!("{:032x}", definition.revision);
    RunningTask {
        id: format!("{}/{task_id}", cluster.name),
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{}/{task_id}", cluster.name),
        cluster: cluster.name.clone(),
        task_definition_arn: definition.arn.clone(),
        group: Some(service.map_or_else(|| format!("family:{}", definition.family), |name| format!("service:{name}"))),
        launch_type: Some("FARGATE".to_owned()),
        network_interfaces: vec!["eni-0123456789abcdef0".to_owned()],
        containers: definition
            .containers
            .iter()
            .map(|container| RunningContainer {
                name: container.name.clone(),
                image: container.image.clone(),
                image_digest: container.image.split_once('@').map(|(_, digest)| digest.to_owned()),
            })
            .collect(),
    }
}

pub fn task_definition(family: &str, revision: i32, containers: Vec<Container>) -> TaskDefinition {
    // Everything else as `TaskDefinition::default()` gives it: unset, empty.
    TaskDefinition {
        id: format!("{family}:{revision}"),
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"),
        family: family.to_owned(),
        revision,
        status: Some("ACTIVE".to_owned()),
        network_mode: Some("awsvpc".to_owned()),
        requires_compatibilities: vec!["FARGATE".to_owned()],
        containers,
        ..TaskDefinition::default()
    }
}

/// An image reference in the fixture account's own ECR, in [`REGION`].
pub fn own_ecr_image(repository: &str, tag: &str) -> String {
    format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repository}:{tag}")
}

/// An image config that every image check passes: a non-root user,
/// built a month before the offline tests' scan, nothing exposed.
pub fn image_config() -> ImageConfig {
    ImageConfig {
        platform_manifest: None,
        config_digest: format!("sha256:{}", "c".repeat(64)),
        created: Some(at("2026-05-01T00:00:00Z")),
        user: Some("app".to_owned()),
        env: vec![EnvironmentVariable::new("PATH", "/usr/local/bin:/usr/bin")],
        exposed_ports: vec!["8080/tcp".to_owned()],
        entrypoint: vec!["/app/server".to_owned()],
        cmd: Vec::new(),
        history: vec![HistoryStep::new("COPY server /app/server # buildkit", false)],
        layers: Vec::new(),
    }
}

/// An image's layers as every layer check passes them: all read, no
/// secret, no sshd, on Debian 12.
pub fn image_layers() -> ImageLayers {
    ImageLayers {
        os_release: Some(crate::image::os_release::OsRelease {
            id: "debian".to_owned(),
            version_id: Some("12".to_owned()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".to_owned()),
        }),
        ..ImageLayers::default()
    }
}

/// The image `reference` names (in the fixture account's ECR, `REGION`),
/// read with `config`, used by container `web` of `app:1`.
pub fn registry_image(reference: &str, config: Collected<ImageConfig>) -> RegistryImage {
    let parsed = crate::image::reference::parse(reference).expect("a valid reference");
    let digest = format!("sha256:{}", "d".repeat(64));
    let repository_arn = format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{}", parsed.repository);
    RegistryImage {
        id: format!("{}@{digest}", parsed.repository),
        arn: format!("{repository_arn}/{digest}"),
        region: REGION.to_owned(),
        repository: parsed.repository,
        platform: "linux/amd64".to_owned(),
        references: vec![reference.to_owned()],
        used_by: vec![ImageUse {
            region: REGION.to_owned(),
            task_definition: "app:1".to_owned(),
            container: "web".to_owned(),
        }],
        digest: Some(digest),
        config,
        vulnerabilities: Collected::NotRequested,
        layers: Collected::Ok(image_layers()),
    }
}

/// [`account`] with clusters listed (none) and `definitions` as the latest
/// revisions of their families.
pub fn account_with_task_definitions(definitions: Vec<TaskDefinition>) -> AccountInventory {
    account_with(|region| {
        region.ecs.clusters = Collected::Ok(Vec::new());
        region.ecs.task_definitions = Collected::Ok(
            definitions
                .into_iter()
                .map(|definition| TaskDefinitionEntry {
                    id: definition.id.clone(),
                    arn: definition.arn.clone(),
                    requested: definition.family.clone(),
                    reasons: vec!["the latest ACTIVE revision of its family".to_owned()],
                    definition: Collected::Ok(definition),
                })
                .collect(),
        );
    })
}

// IAM

/// A credential report fetched at `fetched_at` with these user rows.
pub fn credential_report(fetched_at: Timestamp, rows: Vec<CredentialReportRow>) -> CredentialReport {
    CredentialReport { generated_at: Some(fetched_at), fetched_at, rows }
}

/// A user with no console password and no access key.
pub fn user(name: &str) -> CredentialReportRow {
    CredentialReportRow {
        user: name.to_owned(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        password_enabled: false,
        mfa_active: false,
        access_keys: Vec::new(),
    }
}

/// An active access key in `slot`, rotated and last used at the given times.
pub fn access_key(slot: u8, rotated: Option<Timestamp>, used: Option<Timestamp>) -> AccessKeyReport {
    let date = |at: Option<Timestamp>| match at {
        Some(at) => ReportDate::parse(&at.to_string()),
        None => ReportDate::parse("N/A"),
    };
    AccessKeyReport { slot, active: true, last_rotated: date(rotated), last_used: date(used) }
}

pub fn managed_policy(name: &str, document: &str) -> ManagedPolicy {
    ManagedPolicy {
        name: name.to_owned(),
        arn: format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
        default_version_id: "v1".to_owned(),
        attachment_count: 1,
        document: Collected::Ok(document.to_owned()),
    }
}

/// An EKS cluster that passes every cluster check: private endpoint,
/// secrets encrypted, every log type on, a version in standard support on
/// [`at`]`("2026-06-01...")`, access entries on, with no node group and no
/// access entry.
pub fn eks_cluster(name: &str) -> super::eks::EksCluster {
    super::eks::EksCluster {
        arn: format!("arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{name}"),
        name: name.to_owned(),
        version: Some("1.33".to_owned()),
        endpoint_private_access: true,
        secrets_key_arn: Some(format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/eks")),
        enabled_log_types: super::eks::LOG_TYPES.iter().map(|kind| (*kind).to_owned()).collect(),
        authentication_mode: Some("API".to_owned()),
        nodegroups: Collected::Ok(Vec::new()),
        access_entries: Collected::Ok(Vec::new()),
        ..super::eks::EksCluster::default()
    }
}

/// A node group of `cluster` with launch template `lt-1` version 1, whose
/// metadata options require IMDSv2 with a hop limit of 1.
pub fn nodegroup(cluster: &super::eks::EksCluster, name: &str) -> super::eks::Nodegroup {
    super::eks::Nodegroup {
        id: format!("{}/{name}", cluster.name),
        arn: format!("arn:aws:eks:{REGION}:{ACCOUNT}:nodegroup/{}/{name}/1", cluster.name),
        name: name.to_owned(),
        cluster: cluster.name.clone(),
        launch_template: Some(super::eks::LaunchTemplate {
            id: Some("lt-1".to_owned()),
            name: Some("nodes".to_owned()),
            version: Some("1".to_owned()),
            metadata: Collected::Ok(super::eks::MetadataOptions {
                http_tokens: Some("required".to_owned()),
                http_put_response_hop_limit: Some(1),
                http_endpoint: Some("enabled".to_owned()),
            }),
        }),
    }
}

/// An enabled GuardDuty detector with `features` (name, status) on.
pub fn detector(id: &str, features: &[(&str, &str)]) -> super::guardduty::Detector {
    super::guardduty::Detector {
        id: id.to_owned(),
        arn: format!("arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{id}"),
        details: Collected::Ok(super::guardduty::DetectorDetails {
            status: Some("ENABLED".to_owned()),
            features: features
                .iter()
                .map(|(name, status)| super::guardduty::DetectorFeature {
                    name: (*name).to_owned(),
                    status: Some((*status).to_owned()),
                    additional: Vec::new(),
                })
                .collect(),
        }),
    }
}
