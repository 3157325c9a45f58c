//! The root user's MFA is a hardware device, not a virtual one (CIS 1.6 in
//! v3.0/v4.0.1, 1.5 in v5.0). As Prowler: MFA on, and no virtual MFA device
//! assigned to the root user.

use super::root::{ROOT_ID, root_arn, root_mfa};
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check = Check {
    id: "iam_root_hardware_mfa_enabled",
    needs: &[ResourceKind::IamAccountSummary, ResourceKind::IamCredentialReport, ResourceKind::IamVirtualMfaDevices],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let iam = &ctx.account.iam;
    let finding = out.resource(&iam.region, ROOT_ID, root_arn(ctx));
    match root_mfa(iam) {
        Err(why) => finding.error(format!("Could not tell whether the root user has MFA: {why}")),
        Ok((false, source)) => finding.fail(format!("The root user has no MFA device at all ({source}).")),
        Ok((true, _)) => match iam.virtual_mfa_devices.get() {
            Err(why) => finding.error(format!("Could not tell whether the root user's MFA is virtual: {why}")),
            Ok(devices) => match devices.iter().find(|device| device.is_root()) {
                Some(device) => finding.fail(format!(
                    "The root user's MFA is a virtual device ({}), not a hardware one.",
                    device.serial_number
                )),
                None => {
                    finding.pass("The root user has MFA, and no virtual MFA device is assigned to it (hardware MFA).")
                }
            },
        },
    }
}
