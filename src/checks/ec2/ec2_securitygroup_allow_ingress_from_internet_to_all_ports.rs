//! Security groups that allow all traffic from 0.0.0.0/0 or ::/0.

use super::security_group_exposure::internet_exposure;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ec2::SecurityGroup;
use crate::rules::security_group::Exposure;

pub const CHECK: Check = Check {
    id: "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
    scope: Scope::SecurityGroups(judge),
    reads: &[],
};

fn judge(_: &Context<'_>, group: &SecurityGroup) -> Verdict {
    internet_exposure(group, Exposure::AllPorts, "all traffic")
}
