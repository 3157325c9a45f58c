//! Whether the internet can reach a running task, over each address family
//! and path: a public IPv4 address on its network interface in a security
//! group open to `0.0.0.0/0`; an IPv6 address in a subnet routed to an
//! internet gateway (not an egress-only one) in a group open to `::/0`; or
//! an internet-facing load balancer in front of its service, over the
//! families it listens on; each on a port the task listens on. And, for an
//! image, which tasks run it and how exposed that makes it.

use std::collections::BTreeSet;
use std::str::FromStr;

use crate::inventory::ec2::{NetworkInterface, RouteTable, SecurityGroup};
use crate::inventory::ecs::{RunningTask, TaskDefinition};
use crate::inventory::elbv2::LoadBalancer;
use crate::inventory::image_configs::RegistryImage;
use crate::inventory::image_vulnerabilities::Vulnerability;
use crate::inventory::{AccountInventory, Collected, RegionInventory};
use crate::model::Exposure;
use crate::rules::security_group::{self, Family, internet_source_of};
use crate::severity::Severity;

/// How the internet reaches a running task, as far as the inventory tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reachability {
    /// Each way in, for messages: `public IP 203.0.113.7 (eni-1), sg-1 open to 0.0.0.0/0 on 8080`.
    Internet(Vec<String>),
    /// Why not: `no public IP, no load balancer`.
    NotReachable(String),
    /// What could not be read to tell.
    Unknown(String),
}

/// The ways the internet reaches `task` in `region`; `definition` gives the
/// ports its containers listen on (every port, when it could not be read).
pub fn reachability(region: &RegionInventory, task: &RunningTask, definition: Option<&TaskDefinition>) -> Reachability {
    let mut ways = Vec::new();
    let mut unknown = Vec::new();
    match public_ip_ways(region, task, definition) {
        Ok(found) => ways.extend(found),
        Err(why) => unknown.push(why),
    }
    match load_balancer_ways(region, task) {
        Ok(found) => ways.extend(found),
        Err(why) => unknown.push(why),
    }
    if !ways.is_empty() {
        Reachability::Internet(ways)
    } else if !unknown.is_empty() {
        Reachability::Unknown(unknown.join("; "))
    } else {
        let behind = if task.service().is_some() { "no internet-facing load balancer" } else { "no service" };
        Reachability::NotReachable(format!(
            "no public IPv4 or internet-routed IPv6 address open to the internet on its ports, {behind}"
        ))
    }
}

/// The ports a task listens on, each as a security group exposure with its
/// name for messages; a task definition that could not be read listens on
/// unknown ports, so any open port counts.
fn exposures(definition: Option<&TaskDefinition>) -> Vec<(security_group::Exposure, String)> {
    let Some(definition) = definition else {
        return vec![(security_group::Exposure::AnyPort, "a port".to_owned())];
    };
    definition
        .containers
        .iter()
        .flat_map(|container| &container.port_mappings)
        .filter(|mapping| mapping.protocol == "tcp")
        .filter_map(|mapping| u16::try_from(mapping.container_port).ok())
        .map(|port| (security_group::Exposure::TcpPort(port), format!("port {port}")))
        .collect()
}

/// The ways in through the task's own network interfaces: a public IPv4
/// address in a group open to `0.0.0.0/0`, or an IPv6 address (every one is
/// global) in a subnet that routes IPv6 to an internet gateway and a group
/// open to `::/0`, each on a port the task listens on.
fn public_ip_ways(
    region: &RegionInventory,
    task: &RunningTask,
    definition: Option<&TaskDefinition>,
) -> Result<Vec<String>, String> {
    if task.network_interfaces.is_empty() {
        // Bridge or host networking: the task listens on its EC2 container
        // instance's interfaces, and bulkhead does not read container instances.
        return Err("it has no network interface of its own (bridge or host networking on an EC2 instance), \
             and the instance's is not read"
            .to_owned());
    }
    let interfaces = region
        .ec2
        .network_interfaces
        .get()
        .map_err(|why| format!("its network interfaces could not be read ({why})"))?;
    let groups =
        region.ec2.security_groups.get().map_err(|why| format!("the security groups could not be read ({why})"))?;
    let exposures = exposures(definition);
    let mut ways = Vec::new();
    // Where an open IPv6 address leads could not be told: unknown, unless another way is known.
    let mut unrouted = Vec::new();
    for id in &task.network_interfaces {
        let Some(interface) = interfaces.iter().find(|interface| &interface.id == id) else {
            return Err(format!("its network interface {id} is not in the region's listing"));
        };
        if let Some(ip) = &interface.public_ip {
            let open = open_groups(groups, interface, &exposures, Family::Ipv4)?;
            ways.extend(open.into_iter().map(|open| format!("public IP {ip} ({id}) in {open}")));
        }
        let Some(address) = interface.ipv6_addresses.first() else { continue };
        let open = open_groups(groups, interface, &exposures, Family::Ipv6)?;
        if open.is_empty() {
            continue;
        }
        match ipv6_internet_gateway(region, interface) {
            Ok(Some(gateway)) => ways.extend(
                open.into_iter()
                    .map(|open| format!("IPv6 address {address} ({id}, routed through {gateway}) in {open}")),
            ),
            Ok(None) => {}
            Err(why) => unrouted.push(why),
        }
    }
    if ways.is_empty() && !unrouted.is_empty() {
        return Err(unrouted.join("; "));
    }
    Ok(ways)
}

/// `sg-1 open to ::/0 on port 8080` for each of the interface's groups that
/// admits clients of `family` from the whole internet on one of `exposures`.
fn open_groups(
    groups: &[SecurityGroup],
    interface: &NetworkInterface,
    exposures: &[(security_group::Exposure, String)],
    family: Family,
) -> Result<Vec<String>, String> {
    let mut open = Vec::new();
    for group_id in &interface.security_group_ids {
        let Some(group) = groups.iter().find(|group| &group.id == group_id) else {
            return Err(format!("its security group {group_id} is not in the region's listing"));
        };
        for (exposure, what) in exposures {
            if let Some(source) = group.ingress.iter().find_map(|rule| internet_source_of(rule, *exposure, family)) {
                open.push(format!("{} open to {source} on {what}", group.id));
            }
        }
    }
    Ok(open)
}

/// The internet gateway the interface's subnet routes IPv6 to, if any. An
/// egress-only internet gateway lets replies out and nothing in.
fn ipv6_internet_gateway<'a>(
    region: &'a RegionInventory,
    interface: &NetworkInterface,
) -> Result<Option<&'a str>, String> {
    let tables = region.ec2.route_tables.get().map_err(|why| {
        format!("the route tables could not be read, so where {}'s IPv6 goes is unknown ({why})", interface.id)
    })?;
    let (Some(vpc), Some(subnet)) = (&interface.vpc_id, &interface.subnet_id) else {
        return Err(format!("the subnet of {}, which has an IPv6 address, is unknown", interface.id));
    };
    let Some(table) = RouteTable::of_subnet(tables, vpc, subnet) else {
        return Err(format!("no route table of {vpc} serves subnet {subnet} in the region's listing"));
    };
    Ok(table.ipv6_internet_gateway())
}

fn load_balancer_ways(region: &RegionInventory, task: &RunningTask) -> Result<Vec<String>, String> {
    let Some(service_name) = task.service() else { return Ok(Vec::new()) };
    let clusters = region.ecs.clusters.get().map_err(|why| format!("the clusters could not be read ({why})"))?;
    let Some(cluster) = clusters.iter().find(|cluster| cluster.name == task.cluster) else {
        return Err(format!("its cluster {} is not in the listing", task.cluster));
    };
    let services = cluster
        .services
        .get()
        .map_err(|why| format!("the services of cluster {} could not be read ({why})", cluster.name))?;
    let Some(service) = services.iter().find(|service| service.name == service_name) else {
        return Err(format!("its service {service_name} is not in the listing"));
    };
    // A Classic Load Balancer names no target group, and bulkhead does not read those.
    let classic = service.load_balancers.iter().find(|entry| entry.target_group_arn.is_none());
    if let Some(name) = classic.and_then(|entry| entry.load_balancer_name.as_deref()) {
        return Err(format!("its service sits behind Classic Load Balancer {name}, which bulkhead does not read"));
    }
    let target_groups: Vec<&str> =
        service.load_balancers.iter().filter_map(|entry| entry.target_group_arn.as_deref()).collect();
    if target_groups.is_empty() {
        return Ok(Vec::new());
    }
    let groups =
        region.elbv2.target_groups.get().map_err(|why| format!("the target groups could not be read ({why})"))?;
    let balancers =
        region.elbv2.load_balancers.get().map_err(|why| format!("the load balancers could not be read ({why})"))?;
    let security_groups = region.ec2.security_groups.get().ok();
    let mut ways = Vec::new();
    for arn in target_groups {
        let Some(group) = groups.iter().find(|group| group.arn == arn) else {
            return Err(format!("its target group {arn} is not in the region's listing"));
        };
        for balancer in balancers.iter().filter(|balancer| group.load_balancer_arns.contains(&balancer.arn)) {
            if !balancer.is_internet_facing() {
                continue;
            }
            let listeners = balancer
                .listeners
                .get()
                .map_err(|why| format!("the listeners of {} could not be read ({why})", balancer.name))?;
            for listener in listeners {
                let port = listener.port.and_then(|port| u16::try_from(port).ok());
                // An application load balancer's security groups decide who reaches its listeners.
                let families = families(balancer);
                let open = match (balancer.security_groups.is_empty(), port, security_groups) {
                    (true, _, _) => true,
                    (false, Some(port), Some(all)) => balancer.security_groups.iter().any(|id| {
                        all.iter().filter(|group| &group.id == id).any(|group| {
                            group.ingress.iter().any(|rule| {
                                families.iter().any(|family| {
                                    let exposure = security_group::Exposure::TcpPort(port);
                                    internet_source_of(rule, exposure, *family).is_some()
                                })
                            })
                        })
                    }),
                    (false, _, None) => {
                        return Err(format!("the security groups of {} could not be read", balancer.name));
                    }
                    (false, None, Some(_)) => false,
                };
                if open {
                    let protocol = listener.protocol.as_deref().unwrap_or("?");
                    let port = listener.port.map_or_else(|| "?".to_owned(), |port| port.to_string());
                    ways.push(format!(
                        "internet-facing {} load balancer {} ({protocol} {port}, target group {})",
                        balancer.kind, balancer.name, group.name
                    ));
                }
            }
        }
    }
    Ok(ways)
}

/// The address families clients reach a load balancer over; both when
/// unknown (an inventory saved before the field was read), which claims no less.
fn families(balancer: &LoadBalancer) -> &'static [Family] {
    match balancer.ip_address_type.as_deref() {
        Some("ipv4") => &[Family::Ipv4],
        Some("dualstack-without-public-ipv4") => &[Family::Ipv6],
        _ => &[Family::Ipv4, Family::Ipv6],
    }
}

/// A running task that runs an image, with how the internet reaches it.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    pub region: &'a str,
    pub task: &'a RunningTask,
    pub reachability: Reachability,
}

/// Whether and how an image runs, across the account's regions.
#[derive(Debug, Clone)]
pub struct Runs<'a> {
    pub runs: Vec<Run<'a>>,
    /// Why the image may run unseen: a region's or cluster's running tasks
    /// could not be listed, or what its reference points at is unknown.
    pub unseen: Vec<String>,
}

impl Runs<'_> {
    /// How exposed the image is, most exposed first.
    pub fn exposure(&self) -> Exposure {
        if self.runs.iter().any(|run| matches!(run.reachability, Reachability::Internet(_))) {
            Exposure::Internet
        } else if self.runs.iter().any(|run| matches!(run.reachability, Reachability::Unknown(_)))
            || !self.unseen.is_empty()
        {
            Exposure::Unknown
        } else if self.runs.is_empty() {
            Exposure::NotRunning
        } else {
            Exposure::Internal
        }
    }

    /// The ways in, each once.
    pub fn reachable_through(&self) -> Vec<String> {
        let ways: BTreeSet<String> = self
            .runs
            .iter()
            .filter_map(|run| match &run.reachability {
                Reachability::Internet(ways) => {
                    Some(ways.iter().map(|way| format!("{way} ({})", run.task.describe_owner())))
                }
                _ => None,
            })
            .flatten()
            .collect();
        ways.into_iter().collect()
    }

    /// Why reachability is unknown, each once.
    pub fn unknowns(&self) -> Vec<String> {
        let mut why: BTreeSet<String> = self
            .runs
            .iter()
            .filter_map(|run| match &run.reachability {
                Reachability::Unknown(why) => Some(format!("task {}: {why}", run.task.id)),
                _ => None,
            })
            .collect();
        why.extend(self.unseen.iter().cloned());
        why.into_iter().collect()
    }

    pub fn services(&self) -> Vec<String> {
        let services: BTreeSet<String> = self
            .runs
            .iter()
            .filter_map(|run| {
                run.task.service().map(|service| format!("{}/{service} ({})", run.task.cluster, run.region))
            })
            .collect();
        services.into_iter().collect()
    }
}

/// Every running task of the account with a container on `image`.
pub fn runs_of<'a>(account: &'a AccountInventory, image: &RegistryImage) -> Runs<'a> {
    let mut runs = Vec::new();
    let mut unseen = Vec::new();
    if image.digest.is_none() {
        let why = image.config.error().map_or_else(|| "not resolved".to_owned(), |err| err.message.clone());
        unseen.push(format!("what {} points at could not be read ({why})", image.references.join(", ")));
        return Runs { runs, unseen };
    }
    for (region, inventory) in &account.regions {
        let Collected::Ok(clusters) = &inventory.ecs.clusters else {
            unseen.push(format!("the running tasks of {region} could not be listed"));
            continue;
        };
        for cluster in &inventory.ecs.undescribed_clusters {
            let why = &cluster.error.message;
            unseen.push(format!(
                "cluster {} of {region} could not be described, so its tasks are unknown ({why})",
                cluster.id
            ));
        }
        let definitions = inventory.ecs.task_definitions.get().ok();
        for cluster in clusters {
            let Collected::Ok(tasks) = &cluster.running_tasks else {
                unseen.push(format!("the running tasks of {region} (cluster {}) could not be listed", cluster.name));
                continue;
            };
            for task in tasks {
                let runs_it = task.containers.iter().any(|container| {
                    container.image_digest.as_deref().is_some_and(|digest| image.has_digest(digest))
                        && image.is_in_repository_named_by(&container.image)
                });
                // Not pulled yet: ECS names no digest, and the tag may be this image.
                let pending = task
                    .containers
                    .iter()
                    .find(|container| container.image_digest.is_none() && image.references.contains(&container.image));
                if let Some(container) = pending.filter(|_| !runs_it) {
                    unseen.push(format!("task {} starts {} and has no digest for it yet", task.id, container.image));
                }
                if !runs_it {
                    continue;
                }
                let definition = definitions
                    .and_then(|entries| entries.iter().find(|entry| entry.arn == task.task_definition_arn))
                    .and_then(|entry| entry.definition.get().ok());
                runs.push(Run { region, task, reachability: reachability(inventory, task, definition) });
            }
        }
    }
    Runs { runs, unseen }
}

/// A scanner's severity name (ECR's `CRITICAL`, ...) as bulkhead's; `None`
/// for `UNDEFINED`, `UNTRIAGED` and anything else, which rank lowest.
pub fn severity_of(name: &str) -> Option<Severity> {
    Severity::from_str(name).ok()
}

/// A known exploit (enhanced scanning says so; basic scanning never does).
pub fn has_exploit(finding: &Vulnerability) -> bool {
    finding.exploit_available.as_deref() == Some("YES")
}

/// Orders findings by severity, then a known exploit, then score, then id.
pub fn most_severe_first(findings: &mut [&Vulnerability]) {
    findings.sort_by(|a, b| {
        severity_of(&b.severity)
            .cmp(&severity_of(&a.severity))
            .then_with(|| has_exploit(b).cmp(&has_exploit(a)))
            .then_with(|| b.score.partial_cmp(&a.score).unwrap_or(std::cmp::Ordering::Equal))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// A fix is available: enhanced scanning says so, or a package names its fixed version.
pub fn has_fix(finding: &Vulnerability) -> bool {
    matches!(finding.fix_available.as_deref(), Some("YES" | "PARTIAL"))
        || finding.packages.iter().any(|package| package.fixed_in.is_some())
}

/// The findings of an image at or above `threshold`, most severe first.
pub fn at_or_above(findings: &[Vulnerability], threshold: Severity) -> Vec<&Vulnerability> {
    let mut over: Vec<&Vulnerability> = findings
        .iter()
        .filter(|finding| severity_of(&finding.severity).is_some_and(|severity| severity >= threshold))
        .collect();
    most_severe_first(&mut over);
    over
}

/// The first `count` of `over` (most severe first) described, and how many more.
pub fn name_first(over: &[&Vulnerability], count: usize) -> String {
    let mut names: Vec<String> = over.iter().take(count).map(|finding| describe(finding)).collect();
    if over.len() > count {
        names.push(format!("and {} more", over.len() - count));
    }
    names.join("; ")
}

/// `CVE-2024-3094 (CRITICAL, xz 5.6.0, exploit known, fixed in 5.6.1)`, for messages.
pub fn describe(finding: &Vulnerability) -> String {
    let mut parts = vec![finding.severity.to_ascii_uppercase()];
    if let Some(package) = finding.packages.first().and_then(|package| package.name.as_ref()) {
        parts.push(package.clone());
    }
    if has_exploit(finding) {
        parts.push("exploit known".to_owned());
    }
    match finding.packages.iter().find_map(|package| package.fixed_in.as_deref()) {
        Some(fixed) => parts.push(format!("fixed in {fixed}")),
        None if has_fix(finding) => parts.push("fix available".to_owned()),
        None => {}
    }
    format!("{} ({})", finding.id, parts.join(", "))
}
