//! The rule the "network ACL open to the internet" checks share.

use crate::checks::{Verdict, fail, pass};
use crate::inventory::ec2::NetworkAcl;
use crate::rules::network_acl::{Probe, admitting_rule};

/// FAIL naming the inbound rule that, first to match, admits `probe`.
pub fn internet_exposure(acl: &NetworkAcl, probe: Probe, what: &str) -> Verdict {
    match admitting_rule(&acl.entries, probe) {
        Some(rule) => {
            let source = rule.ipv4_cidr.as_deref().or(rule.ipv6_cidr.as_deref()).unwrap_or("the internet");
            fail(format!(
                "allows {what} from {source}: inbound rule {} is the first to match and allows it.",
                rule.rule_number
            ))
        }
        None => pass(format!("does not allow {what} from the internet.")),
    }
}
