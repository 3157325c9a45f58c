//! The root user has MFA (CIS 1.5 in v3.0/v4.0.1, 1.4 in v5.0).

use super::root::root_mfa;
use crate::checks::{Check, Context, Scope, Unknown, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::iam::IamAccount;

pub const CHECK: Check = Check {
    id: "iam_root_mfa_enabled",
    scope: Scope::RootUser(judge),
    reads: &[ResourceKind::IamAccountSummary, ResourceKind::IamCredentialReport],
};

fn judge(_: &Context<'_>, iam: &IamAccount) -> Verdict {
    match root_mfa(iam).map_err(|why| Unknown(format!("Could not tell whether the root user has MFA: {why}")))? {
        (true, source) => pass(format!("The root user has MFA enabled ({source}).")),
        (false, source) => fail(format!("The root user has no MFA device ({source}).")),
    }
}
