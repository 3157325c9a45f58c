//! Security groups with an inbound or outbound rule for a public IPv4 range
//! wider than a /24 (prefix /1 to /23).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ec2::SecurityGroup;
use crate::rules::security_group::{describe_rule, is_wide_open_public_ipv4};

pub const CHECK: Check =
    Check { id: "ec2_securitygroup_allow_wide_open_public_ipv4", scope: Scope::SecurityGroups(judge), reads: &[] };

fn judge(_: &Context<'_>, group: &SecurityGroup) -> Verdict {
    let directions = [("inbound", &group.ingress), ("outbound", &group.egress)];
    let wide: Vec<String> = directions
        .iter()
        .flat_map(|(direction, rules)| {
            rules.iter().flat_map(move |rule| {
                rule.ipv4_ranges
                    .iter()
                    .filter(|cidr| is_wide_open_public_ipv4(cidr))
                    .map(move |cidr| format!("{direction} {} {cidr}", describe_rule(rule)))
            })
        })
        .collect();
    if wide.is_empty() {
        pass("has no rule for a public IPv4 range wider than /24")
    } else {
        fail(format!("has rules for public IPv4 ranges wider than /24: {}", wide.join(", ")))
    }
}
