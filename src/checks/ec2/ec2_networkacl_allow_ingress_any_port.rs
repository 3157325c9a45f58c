//! Network ACLs whose inbound rules, first match wins, admit all traffic
//! (every port) from 0.0.0.0/0 or ::/0.

use super::network_acl_exposure::internet_exposure;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ec2::NetworkAcl;
use crate::rules::network_acl::Probe;

pub const CHECK: Check =
    Check { id: "ec2_networkacl_allow_ingress_any_port", scope: Scope::NetworkAcls(judge), reads: &[] };

fn judge(_: &Context<'_>, acl: &NetworkAcl) -> Verdict {
    internet_exposure(acl, Probe::AllTraffic, "all traffic (every port)")
}
