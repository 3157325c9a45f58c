use bulkhead::inventory::ecr::{RegistryScanning, ScanningRule};

use super::*;

const CHECK: &str = "ecr_registry_scan_images_on_push_enabled";

fn registry(scanning: Collected<RegistryScanning>) -> AccountInventory {
    account_with(|region| region.ecr.registry_scanning = scanning)
}

fn rule(frequency: &str, filter: &str) -> RegistryScanning {
    RegistryScanning {
        scan_type: "BASIC".into(),
        rules: vec![ScanningRule { scan_frequency: frequency.into(), repository_filters: vec![filter.into()] }],
    }
}

#[test]
fn pass_fail_and_error() {
    let finding = only(CHECK, &registry(Collected::Ok(rule("SCAN_ON_PUSH", "*"))));
    assert_eq!(finding.status, Status::Pass);
    assert_eq!(
        (finding.resource_id.as_str(), finding.resource_arn.as_str()),
        (ACCOUNT, "arn:aws:iam::111122223333:root")
    );
    assert_eq!(status(CHECK, &registry(Collected::Ok(rule("SCAN_ON_PUSH", "prod-*")))), Status::Fail);
    assert_eq!(status(CHECK, &registry(Collected::Ok(rule("MANUAL", "*")))), Status::Fail);
    let unknown = registry(Collected::Failed(denied(Service::Ecr, "GetRegistryScanningConfiguration")));
    let error = only(CHECK, &unknown);
    assert_eq!((error.status, error.resource_id.as_str()), (Status::Error, ACCOUNT), "same identity as PASS");
}
