//! Security groups that allow anything at all (any protocol, any port) from
//! 0.0.0.0/0 or ::/0.

use super::security_group_exposure::{self, NEEDS};
use crate::checks::{Check, Context, Findings};
use crate::rules::security_group::Exposure;

pub const CHECK: Check =
    Check { id: "ec2_securitygroup_allow_ingress_from_internet_to_any_port", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    security_group_exposure::evaluate(ctx, out, Exposure::AnyPort, "any port");
}
