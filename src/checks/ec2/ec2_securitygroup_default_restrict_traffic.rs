//! The default security group of every VPC has no rules at all, so nothing
//! that lands in it by default can talk to anything.

use super::security_group_exposure::{self, GroupVerdict, NEEDS};
use crate::checks::{Check, Context, Findings};
use crate::rules::security_group::describe_rule;

pub const CHECK: Check = Check { id: "ec2_securitygroup_default_restrict_traffic", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    security_group_exposure::each_group(ctx, out, |group| {
        // Only VPC default groups are named "default"; AWS refuses the name for others.
        if group.name != "default" {
            return GroupVerdict::Skip;
        }
        let vpc = group.vpc_id.as_deref().unwrap_or("no VPC");
        let rules: Vec<String> = group
            .ingress
            .iter()
            .map(|rule| format!("inbound {}", describe_rule(rule)))
            .chain(group.egress.iter().map(|rule| format!("outbound {}", describe_rule(rule))))
            .collect();
        if rules.is_empty() {
            GroupVerdict::Pass(format!("is the default group of {vpc} and has no rules"))
        } else {
            GroupVerdict::Fail(format!(
                "is the default group of {vpc} and has {} rule(s): {}",
                rules.len(),
                rules.join(", ")
            ))
        }
    });
}
