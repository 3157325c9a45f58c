//! The shared judgement of the "security group open to the internet" checks,
//! which differ only in what exposure they look for.

use crate::checks::{Context, Findings};
use crate::inventory::ec2::{NetworkInterface, SecurityGroup};
use crate::inventory::{ResourceKind, Unavailable};
use crate::rules::security_group::{Exposure, describe_rule, internet_source};

pub const NEEDS: &[ResourceKind] = &[ResourceKind::Ec2SecurityGroups, ResourceKind::Ec2NetworkInterfaces];

pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, exposure: Exposure, what: &str) {
    each_group(ctx, out, |group| {
        let opening =
            group.ingress.iter().find_map(|rule| internet_source(rule, exposure).map(|source| (rule, source)));
        match opening {
            Some((rule, source)) => {
                GroupVerdict::Fail(format!("allows {what} from {source} (rule: {})", describe_rule(rule)))
            }
            None => GroupVerdict::Pass(format!("does not allow {what} from the internet")),
        }
    });
}

/// What a check says about one group; the exposure context is added to it.
pub enum GroupVerdict {
    Pass(String),
    Fail(String),
    /// The group is not what the check is about (no finding).
    Skip,
}

/// Judges every security group of every region, and completes each message
/// with where the group is attached and whether any of those interfaces has
/// a public IP: `Security group sg-... (name) <verdict>; <attachment>.`
pub fn each_group(ctx: &Context<'_>, out: &mut Findings<'_>, judge: impl Fn(&SecurityGroup) -> GroupVerdict) {
    let account = ctx.account;
    for (region, groups) in out.per_region(account, "ec2", "security-group/*", |region| &region.ec2.security_groups) {
        let interfaces = account.regions[region].ec2.network_interfaces.get();
        for group in groups {
            let arn = account.arn("ec2", region, &format!("security-group/{}", group.id));
            let subject = format!("Security group {} ({})", group.id, group.name);
            match judge(group) {
                GroupVerdict::Fail(why) => {
                    let attachment = attachment(group, interfaces);
                    out.resource(region, &group.id, arn).fail(format!("{subject} {why}; {attachment}."))
                }
                GroupVerdict::Pass(why) => {
                    let attachment = attachment(group, interfaces);
                    out.resource(region, &group.id, arn).pass(format!("{subject} {why}; {attachment}."))
                }
                GroupVerdict::Skip => {}
            }
        }
    }
}

/// Where the group is in use, for the reader judging how exposed it is.
fn attachment(group: &SecurityGroup, interfaces: Result<&Vec<NetworkInterface>, Unavailable<'_>>) -> String {
    let Ok(interfaces) = interfaces else {
        return "its network interfaces are unknown (DescribeNetworkInterfaces failed)".to_owned();
    };
    let attached: Vec<&NetworkInterface> =
        interfaces.iter().filter(|interface| interface.security_group_ids.contains(&group.id)).collect();
    if attached.is_empty() {
        return "not attached to any network interface".to_owned();
    }
    let names: Vec<String> = attached
        .iter()
        .map(|interface| match &interface.public_ip {
            Some(ip) => format!("{} (public IP {ip})", interface.id),
            None => interface.id.clone(),
        })
        .collect();
    let public = if attached.iter().any(|interface| interface.public_ip.is_some()) {
        "at least one with a public IP"
    } else {
        "none with a public IP"
    };
    format!("attached to {} ({public})", names.join(", "))
}
