use super::*;

const CHECK: &str = "guardduty_ecs_runtime_monitoring_enabled";

fn runtime(agent: Option<&str>) -> AccountInventory {
    let mut found = detector("d1", &[("RUNTIME_MONITORING", "ENABLED")]);
    let Collected::Ok(details) = &mut found.details else { unreachable!() };
    if let Some(status) = agent {
        details.features[0].additional = vec![("ECS_FARGATE_AGENT_MANAGEMENT".into(), Some(status.into()))];
    }
    with_detectors(vec![found])
}

#[test]
fn pass_and_fail() {
    assert_eq!(status(CHECK, &runtime(Some("ENABLED"))), Status::Pass);
    assert_eq!(status(CHECK, &runtime(Some("DISABLED"))), Status::Fail);
    assert_eq!(status(CHECK, &runtime(None)), Status::Fail);
    assert_eq!(status(CHECK, &with_detectors(Vec::new())), Status::Fail);
}
