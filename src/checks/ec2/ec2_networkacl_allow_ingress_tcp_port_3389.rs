//! Network ACLs whose inbound rules, first match wins, admit TCP port 3389 (RDP) from 0.0.0.0/0 or ::/0.

use super::network_acl_exposure::{self, NEEDS};
use crate::checks::{Check, Context, Findings};
use crate::rules::network_acl::Probe;

pub const CHECK: Check = Check { id: "ec2_networkacl_allow_ingress_tcp_port_3389", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    network_acl_exposure::evaluate(ctx, out, Probe::TcpPort(3389), "TCP port 3389 (RDP)");
}
