//! The shared judgement of the "security group open to the internet" checks,
//! which differ only in what exposure they look for.

use crate::checks::{Context, Findings};
use crate::inventory::ec2::{NetworkInterface, SecurityGroup};
use crate::inventory::{ResourceKind, Unavailable};
use crate::rules::security_group::{Exposure, describe_rule, internet_source};

pub const NEEDS: &[ResourceKind] = &[ResourceKind::Ec2SecurityGroups, ResourceKind::Ec2NetworkInterfaces];

pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, exposure: Exposure, what: &str) {
    let account = ctx.account;
    for (region, groups) in out.per_region(account, "ec2", "security-group/*", |region| &region.ec2.security_groups) {
        let interfaces = account.regions[region].ec2.network_interfaces.get();
        for group in groups {
            let arn = account.arn("ec2", region, &format!("security-group/{}", group.id));
            let attachment = attachment(group, interfaces);
            let opening =
                group.ingress.iter().find_map(|rule| internet_source(rule, exposure).map(|source| (rule, source)));
            let subject = format!("Security group {} ({})", group.id, group.name);
            match opening {
                Some((rule, source)) => out.resource(region, &group.id, arn).fail(format!(
                    "{subject} allows {what} from {source} (rule: {}); {attachment}.",
                    describe_rule(rule)
                )),
                None => out
                    .resource(region, &group.id, arn)
                    .pass(format!("{subject} does not allow {what} from the internet; {attachment}.")),
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
    format!("attached to {}", names.join(", "))
}
