//! Security groups that allow all traffic from 0.0.0.0/0 or ::/0.

use super::security_group_exposure::{self, NEEDS};
use crate::checks::{Check, Findings};
use crate::inventory::AccountInventory;
use crate::rules::security_group::Exposure;

pub const CHECK: Check =
    Check { id: "ec2_securitygroup_allow_ingress_from_internet_to_all_ports", needs: NEEDS, evaluate };

fn evaluate(account: &AccountInventory, out: &mut Findings<'_>) {
    security_group_exposure::evaluate(account, out, Exposure::AllPorts, "all traffic");
}
