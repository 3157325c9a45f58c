//! The default security group of every VPC has no rules at all, so nothing
//! that lands in it by default can talk to anything.

use crate::checks::{Check, Context, Judgement, Scope, Verdict, fail, pass};
use crate::inventory::ec2::SecurityGroup;
use crate::rules::security_group::describe_rule;

pub const CHECK: Check =
    Check { id: "ec2_securitygroup_default_restrict_traffic", scope: Scope::SecurityGroups(judge), reads: &[] };

fn judge(_: &Context<'_>, group: &SecurityGroup) -> Verdict {
    // Only VPC default groups are named "default"; AWS refuses the name for others.
    if group.name != "default" {
        return Ok(Judgement::NotApplicable);
    }
    let vpc = group.vpc_id.as_deref().unwrap_or("no VPC");
    let rules: Vec<String> = group
        .ingress
        .iter()
        .map(|rule| format!("inbound {}", describe_rule(rule)))
        .chain(group.egress.iter().map(|rule| format!("outbound {}", describe_rule(rule))))
        .collect();
    if rules.is_empty() {
        pass(format!("is the default group of {vpc} and has no rules"))
    } else {
        fail(format!("is the default group of {vpc} and has {} rule(s): {}", rules.len(), rules.join(", ")))
    }
}
