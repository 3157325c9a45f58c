//! The shared judgement of the "network ACL open to the internet" checks.

use crate::checks::{Context, Findings};
use crate::inventory::ResourceKind;
use crate::inventory::ec2::AclAction;
use crate::rules::network_acl::{Probe, admitting_rule};

pub const NEEDS: &[ResourceKind] = &[ResourceKind::Ec2NetworkAcls];

pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, probe: Probe, what: &str) {
    let account = ctx.account;
    for (region, acls) in out.per_region(account, "ec2", "network-acl/*", |region| &region.ec2.network_acls) {
        for acl in acls {
            let arn = account.arn("ec2", region, &format!("network-acl/{}", acl.id));
            let kind = if acl.is_default { "default network ACL" } else { "Network ACL" };
            let vpc = acl.vpc_id.as_deref().unwrap_or("no VPC");
            let subnets = match acl.subnet_ids.len() {
                0 => "associated with no subnet".to_owned(),
                1 => "associated with 1 subnet".to_owned(),
                n => format!("associated with {n} subnets"),
            };
            let name = acl.tags.iter().find(|tag| tag.key == "Name").map(|tag| format!(" \"{}\"", tag.value));
            let subject = format!("{kind} {}{} ({vpc}, {subnets})", acl.id, name.unwrap_or_default());
            match admitting_rule(&acl.entries, probe) {
                Some(rule) => {
                    let source = rule.ipv4_cidr.as_deref().or(rule.ipv6_cidr.as_deref()).unwrap_or("the internet");
                    debug_assert_eq!(rule.action, AclAction::Allow);
                    out.resource(region, &acl.id, arn).fail(format!(
                        "{subject} allows {what} from {source}: inbound rule {} is the first to match and allows it.",
                        rule.rule_number
                    ));
                }
                None => out
                    .resource(region, &acl.id, arn)
                    .pass(format!("{subject} does not allow {what} from the internet.")),
            }
        }
    }
}
