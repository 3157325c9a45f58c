use bulkhead::inventory::iam::VirtualMfaDevice;

use super::*;

const CHECK: &str = "iam_root_hardware_mfa_enabled";

#[test]
fn root_hardware_mfa_means_no_virtual_device_on_root() {
    let virtual_root = VirtualMfaDevice {
        serial_number: "arn:aws:iam::111122223333:mfa/root-account-mfa-device".into(),
        user_arn: Some("arn:aws:iam::111122223333:root".into()),
        enabled: true,
    };
    let user_device = VirtualMfaDevice {
        serial_number: "arn:aws:iam::111122223333:mfa/alice".into(),
        user_arn: Some("arn:aws:iam::111122223333:user/alice".into()),
        enabled: true,
    };
    let with = |devices: Collected<Vec<VirtualMfaDevice>>| {
        with_iam(|iam| {
            iam.summary = summary(1, 0);
            iam.virtual_mfa_devices = devices;
        })
    };
    assert_eq!(status(CHECK, &with(Collected::Ok(vec![virtual_root, user_device.clone()]))), Status::Fail);
    assert_eq!(status(CHECK, &with(Collected::Ok(vec![user_device]))), Status::Pass);
    assert_eq!(status(CHECK, &with(iam_denied("ListVirtualMFADevices"))), Status::Error);
    assert_eq!(status(CHECK, &with_iam(|iam| iam.summary = summary(0, 0))), Status::Fail, "no MFA at all");
}
