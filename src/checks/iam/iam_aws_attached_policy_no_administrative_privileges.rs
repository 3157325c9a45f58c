//! Attached AWS managed policies do not allow "*" on "*" (AdministratorAccess).

use super::admin_policies::judge;
use crate::checks::{Check, PolicyKind, Scope};

pub const CHECK: Check = Check {
    id: "iam_aws_attached_policy_no_administrative_privileges",
    scope: Scope::ManagedPolicies(PolicyKind::Aws, judge),
    reads: &[],
};
