use bulkhead::inventory::ec2::{Protocol, SecurityGroup};

use super::*;

const CHECK: &str = "ec2_securitygroup_default_restrict_traffic";

fn default_group(ingress: Vec<bulkhead::inventory::ec2::IpPermission>) -> SecurityGroup {
    SecurityGroup { name: "default".into(), ingress, ..security_group("sg-d") }
}

#[test]
fn only_default_groups_are_judged() {
    let account = groups(vec![default_group(vec![]), group_with(vec![])]);
    let findings = run(CHECK, &account);
    assert_eq!(findings.len(), 1, "a group that is not a VPC's default gets no finding");
    assert_eq!(findings[0].status, Status::Pass);
    assert_eq!(findings[0].resource_name, "default");
}

#[test]
fn pass_fail_and_error() {
    let open = groups(vec![default_group(vec![permission(Protocol::All, None, "sg-d")])]);
    assert_eq!(status(CHECK, &open), Status::Fail);
    assert_eq!(status(CHECK, &groups(vec![default_group(vec![])])), Status::Pass);
    let error = only(CHECK, &groups_denied());
    assert_eq!(error.status, Status::Error);
    assert_region_error(&error);
}
