//! Attached customer managed policies do not allow "*" on "*".

use super::admin_policies::judge;
use crate::checks::{Check, PolicyKind, Scope};

pub const CHECK: Check = Check {
    id: "iam_customer_attached_policy_no_administrative_privileges",
    scope: Scope::ManagedPolicies(PolicyKind::Customer, judge),
    reads: &[],
};
