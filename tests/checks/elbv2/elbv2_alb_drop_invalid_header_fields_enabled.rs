use bulkhead::inventory::elbv2::Attributes;

use super::*;

const CHECK: &str = "elbv2_alb_drop_invalid_header_fields_enabled";

#[test]
fn invalid_headers_must_be_dropped() {
    let mut alb = load_balancer("public", "internet-facing", "application");
    let finding = only(CHECK, &balancers(vec![alb.clone()]));
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(finding.message.contains("drop_invalid_header_fields.enabled: false"), "{}", finding.message);

    alb.attributes = Collected::Ok(Attributes { drop_invalid_header_fields: Some(true), ..Attributes::default() });
    assert_eq!(status(CHECK, &balancers(vec![alb])), Status::Pass);
    assert!(run(CHECK, &balancers(vec![load_balancer("nlb", "internal", "network")])).is_empty());
}
