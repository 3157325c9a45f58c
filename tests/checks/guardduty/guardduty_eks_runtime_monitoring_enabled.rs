use super::*;

const CHECK: &str = "guardduty_eks_runtime_monitoring_enabled";

fn runtime(feature: &str, agent: Option<&str>) -> AccountInventory {
    let mut found = detector("d1", &[(feature, "ENABLED")]);
    let Collected::Ok(details) = &mut found.details else { unreachable!() };
    if let Some(status) = agent {
        details.features[0].additional = vec![("EKS_ADDON_MANAGEMENT".into(), Some(status.into()))];
    }
    with_detectors(vec![found])
}

#[test]
fn runtime_monitoring_with_the_managed_agent_passes() {
    assert_eq!(status(CHECK, &runtime("RUNTIME_MONITORING", Some("ENABLED"))), Status::Pass);
    assert_eq!(status(CHECK, &runtime("EKS_RUNTIME_MONITORING", Some("ENABLED"))), Status::Pass);
}

#[test]
fn without_the_managed_agent_or_runtime_monitoring_fails() {
    let manual = only(CHECK, &runtime("RUNTIME_MONITORING", Some("DISABLED")));
    assert_eq!(manual.status, Status::Fail);
    assert!(manual.message.contains("automated agent EKS_ADDON_MANAGEMENT DISABLED"), "{}", manual.message);
    assert_eq!(status(CHECK, &runtime("RUNTIME_MONITORING", None)), Status::Fail);
    assert_eq!(status(CHECK, &with_detectors(vec![detector("d1", &[])])), Status::Fail);
}
