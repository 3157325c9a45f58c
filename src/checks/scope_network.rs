//! The walks of the network's edge and evidence ([`Scope`](super::Scope)'s
//! load balancers and VPCs): each resource in every region, with the
//! container workloads it serves or holds.

use std::collections::BTreeSet;

use super::verdict::{Verdict, reword};
use super::{Context, Findings};
use crate::inventory::ec2::NetworkInterface;
use crate::inventory::elbv2::LoadBalancer;
use crate::inventory::vpc::Vpc;
use crate::inventory::{Collected, RegionInventory};

/// `Application load balancer NAME (internet-facing, fronts ECS service web of cluster prod) <verdict>`.
pub(super) fn load_balancers(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &str, &LoadBalancer) -> Verdict,
) {
    let account = ctx.account;
    for (region, balancers) in out.per_region(|region| &region.elbv2.load_balancers) {
        let inventory = &account.regions[region];
        for balancer in balancers {
            let subject = format!(
                "{} load balancer {} ({}, {})",
                capitalised(&balancer.kind),
                balancer.name,
                balancer.scheme,
                fronts(inventory, balancer)
            );
            let verdict = reword(
                rule(ctx, region, balancer),
                |why| format!("{subject} {why}"),
                |why| format!("{subject}: {why}"),
            );
            out.record(region, balancer, verdict);
        }
    }
}

fn capitalised(kind: &str) -> String {
    let mut chars = kind.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_else(|| "A".to_owned())
}

/// Which ECS services sit behind the load balancer, through the target
/// groups its listeners and rules forward to; for the reader, so a failure
/// to read them says so rather than turning the verdict into ERROR.
fn fronts(region: &RegionInventory, balancer: &LoadBalancer) -> String {
    let groups = match region.elbv2.target_groups.get() {
        Ok(groups) => groups,
        Err(why) => return format!("the ECS services behind it are unknown (the target groups: {why})"),
    };
    let groups: BTreeSet<&str> = groups
        .iter()
        .filter(|group| group.load_balancer_arns.contains(&balancer.arn))
        .map(|group| group.arn.as_str())
        .collect();
    let clusters = match region.ecs.clusters.get() {
        Ok(clusters) => clusters,
        Err(why) => return format!("the ECS services behind it are unknown (the clusters: {why})"),
    };
    let mut services = Vec::new();
    let mut unknown = Vec::new();
    for cluster in clusters {
        let listed = match cluster.services.get() {
            Ok(listed) => listed,
            Err(why) => {
                unknown.push(format!("{} ({why})", cluster.name));
                continue;
            }
        };
        for service in listed {
            let behind = service
                .load_balancers
                .iter()
                .any(|entry| entry.target_group_arn.as_deref().is_some_and(|arn| groups.contains(arn)));
            if behind {
                services.push(format!("{} of cluster {}", service.name, cluster.name));
            }
        }
    }
    let mut said = match services.as_slice() {
        [] => "fronts no ECS service".to_owned(),
        [one] => format!("fronts ECS service {one}"),
        many => format!("fronts ECS services {}", many.join(", ")),
    };
    if !unknown.is_empty() {
        said.push_str(&format!("; the services of cluster(s) {} are unknown", unknown.join(", ")));
    }
    said
}

/// `VPC vpc-1 "name" (3 network interfaces; holds container workloads: ...) <verdict>`.
pub(super) fn vpcs(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &str, &Vpc) -> Verdict) {
    let account = ctx.account;
    for (region, vpcs) in out.per_region(|region| &region.ec2.vpcs) {
        let inventory = &account.regions[region];
        for vpc in vpcs {
            let name = vpc.tags.iter().find(|tag| tag.key == "Name").map(|tag| format!(" \"{}\"", tag.value));
            let default = if vpc.is_default { "default VPC, " } else { "" };
            let subject = format!("VPC {}{} ({default}{})", vpc.id, name.unwrap_or_default(), holds(inventory, vpc));
            let verdict =
                reword(rule(ctx, region, vpc), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"));
            out.record(region, vpc, verdict);
        }
    }
}

/// How many network interfaces the VPC has and which running ECS tasks
/// they carry; for the reader, so what could not be read is said, not judged.
fn holds(region: &RegionInventory, vpc: &Vpc) -> String {
    let interfaces = match region.ec2.network_interfaces.get() {
        Ok(interfaces) => interfaces,
        Err(why) => return format!("whether it is in use is unknown: its network interfaces ({why})"),
    };
    let ids: BTreeSet<&str> = interfaces
        .iter()
        .filter(|interface| interface.vpc_id.as_deref() == Some(vpc.id.as_str()))
        .map(|interface| interface.id.as_str())
        .collect();
    let count = match ids.len() {
        0 => return "no network interface".to_owned(),
        1 => "1 network interface".to_owned(),
        n => format!("{n} network interfaces"),
    };
    let clusters = match region.ecs.clusters.get() {
        Ok(clusters) => clusters,
        Err(why) => return format!("{count}; whether ECS tasks run in it is unknown (the clusters: {why})"),
    };
    let mut owners = BTreeSet::new();
    let mut unknown = Vec::new();
    for cluster in clusters {
        let tasks = match cluster.running_tasks.get() {
            Ok(tasks) => tasks,
            Err(why) => {
                unknown.push(format!("{} ({why})", cluster.name));
                continue;
            }
        };
        for task in tasks.iter().filter(|task| task.network_interfaces.iter().any(|id| ids.contains(id.as_str()))) {
            owners.insert(task.describe_owner());
        }
    }
    let owners: Vec<String> = owners.into_iter().map(|owner| format!("ECS {owner}")).collect();
    let (eks, eks_unknown) = eks_clusters_in(region, vpc, interfaces);
    let workloads: Vec<String> = owners.into_iter().chain(eks).collect();
    let mut said = if workloads.is_empty() {
        format!("{count}, no running ECS task")
    } else {
        format!("{count}; holds container workloads: {}", workloads.join(", "))
    };
    if !unknown.is_empty() {
        said.push_str(&format!("; the running tasks of cluster(s) {} are unknown", unknown.join(", ")));
    }
    if let Some(why) = eks_unknown {
        said.push_str(&format!("; whether EKS clusters use it is unknown ({why})"));
    }
    said
}

/// `EKS cluster NAME (subnets …)` for each EKS cluster whose control plane
/// sits in the VPC: the VPC its configuration names, else the VPC of an
/// interface in one of its subnets; and why that is unknown, if it is.
fn eks_clusters_in(
    region: &RegionInventory,
    vpc: &Vpc,
    interfaces: &[NetworkInterface],
) -> (Vec<String>, Option<String>) {
    let clusters = match &region.eks.clusters {
        Collected::Ok(clusters) => clusters,
        Collected::Failed(err) => return (Vec::new(), Some(err.to_string())),
        Collected::NotRequested => return (Vec::new(), None),
    };
    let subnets: BTreeSet<&str> = interfaces
        .iter()
        .filter(|interface| interface.vpc_id.as_deref() == Some(vpc.id.as_str()))
        .filter_map(|interface| interface.subnet_id.as_deref())
        .collect();
    let named = clusters.iter().filter(|cluster| match &cluster.vpc_id {
        Some(id) => *id == vpc.id,
        None => cluster.subnet_ids.iter().any(|subnet| subnets.contains(subnet.as_str())),
    });
    let found = named
        .map(|cluster| format!("EKS cluster {} (subnets {})", cluster.name, cluster.subnet_ids.join(", ")))
        .collect();
    (found, None)
}
