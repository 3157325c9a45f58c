use bulkhead::inventory::elbv2::Attributes;

use super::*;

const CHECK: &str = "elbv2_logging_enabled";

#[test]
fn access_logs_must_be_on() {
    let mut alb = load_balancer("public", "internet-facing", "application");
    let finding = only(CHECK, &balancers(vec![alb.clone()]));
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(finding.message.contains("writes no access logs"), "{}", finding.message);

    alb.attributes = Collected::Ok(Attributes {
        access_logs: true,
        access_logs_bucket: Some("lb-logs".into()),
        ..Attributes::default()
    });
    let finding = only(CHECK, &balancers(vec![alb]));
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(finding.message.contains("writes access logs to lb-logs"), "{}", finding.message);

    assert_eq!(status(CHECK, &balancers(vec![load_balancer("nlb", "internal", "network")])), Status::Fail);
    assert!(run(CHECK, &balancers(vec![load_balancer("gwlb", "internal", "gateway")])).is_empty());
}
