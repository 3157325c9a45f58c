//! The rule the "security group open to the internet" checks share; they
//! differ only in the exposure they look for.

use crate::checks::{Verdict, fail, pass};
use crate::inventory::ec2::SecurityGroup;
use crate::rules::security_group::{Exposure, describe_rule, internet_source};

/// FAIL naming the first inbound rule that admits `exposure` from the
/// internet. A check of one port names the port, then the rule that opens
/// it; a check of every port or any port names what the rule opens, which
/// is what it found ("any port" would not say which).
pub fn internet_exposure(group: &SecurityGroup, exposure: Exposure, what: &str) -> Verdict {
    let opening = group.ingress.iter().find_map(|rule| internet_source(rule, exposure).map(|source| (rule, source)));
    match opening {
        Some((rule, source)) => match exposure {
            Exposure::AllPorts | Exposure::AnyPort => fail(format!("allows {} from {source}", describe_rule(rule))),
            Exposure::TcpPort(_) | Exposure::TcpRange(..) => {
                fail(format!("allows {what} from {source} (rule: {})", describe_rule(rule)))
            }
        },
        None => pass(format!("does not allow {what} from the internet")),
    }
}
