use bulkhead::inventory::ec2::Protocol;

use super::*;

const CHECK: &str = "ec2_securitygroup_allow_wide_open_public_ipv4";

#[test]
fn pass_fail_and_error() {
    let narrow = groups(vec![group_with(vec![permission(Protocol::Tcp, Some((443, 443)), "203.0.113.0/24")])]);
    assert_eq!(status(CHECK, &narrow), Status::Pass);
    let mut wide = group_with(vec![]);
    wide.egress = vec![permission(Protocol::Tcp, Some((443, 443)), "52.0.0.0/8")];
    let finding = only(CHECK, &groups(vec![wide]));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("outbound tcp 443 52.0.0.0/8"), "{}", finding.message);
    let error = only(CHECK, &groups_denied());
    assert_eq!(error.status, Status::Error);
    assert_region_error(&error);
}
