//! The root user's MFA is a hardware device, not a virtual one (CIS 1.6 in
//! v3.0/v4.0.1, 1.5 in v5.0). As Prowler: MFA on, and no virtual MFA device
//! assigned to the root user.

use super::root::root_mfa;
use crate::checks::{Check, Context, Scope, Unknown, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::iam::IamAccount;

pub const CHECK: Check = Check {
    id: "iam_root_hardware_mfa_enabled",
    scope: Scope::RootUser(judge),
    reads: &[ResourceKind::IamAccountSummary, ResourceKind::IamCredentialReport, ResourceKind::IamVirtualMfaDevices],
};

fn judge(_: &Context<'_>, iam: &IamAccount) -> Verdict {
    let (has_mfa, source) =
        root_mfa(iam).map_err(|why| Unknown(format!("Could not tell whether the root user has MFA: {why}")))?;
    if !has_mfa {
        return fail(format!("The root user has no MFA device at all ({source})."));
    }
    let devices = iam
        .virtual_mfa_devices
        .get()
        .map_err(|why| Unknown(format!("Could not tell whether the root user's MFA is virtual: {why}")))?;
    match devices.iter().find(|device| device.is_root()) {
        Some(device) => {
            fail(format!("The root user's MFA is a virtual device ({}), not a hardware one.", device.serial_number))
        }
        None => pass("The root user has MFA, and no virtual MFA device is assigned to it (hardware MFA)."),
    }
}
