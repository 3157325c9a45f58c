//! Security groups that allow TCP port 22 (SSH) from 0.0.0.0/0 or ::/0.

use super::security_group_exposure::{self, NEEDS};
use crate::checks::{Check, Context, Findings};
use crate::rules::security_group::Exposure;

pub const CHECK: Check =
    Check { id: "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    security_group_exposure::evaluate(ctx, out, Exposure::TcpPort(22), "TCP port 22 (SSH)");
}
