//! Network ACLs whose inbound rules, first match wins, admit TCP port 22
//! (SSH) from 0.0.0.0/0 or ::/0.

use super::network_acl_exposure::internet_exposure;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ec2::NetworkAcl;
use crate::rules::network_acl::Probe;

pub const CHECK: Check =
    Check { id: "ec2_networkacl_allow_ingress_tcp_port_22", scope: Scope::NetworkAcls(judge), reads: &[] };

fn judge(_: &Context<'_>, acl: &NetworkAcl) -> Verdict {
    internet_exposure(acl, Probe::TcpPort(22), "TCP port 22 (SSH)")
}
