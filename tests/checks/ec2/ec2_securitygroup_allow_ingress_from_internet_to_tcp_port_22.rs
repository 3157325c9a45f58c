use bulkhead::inventory::ec2::Protocol;

use super::*;

const CHECK: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";

#[test]
fn pass_fail_and_error() {
    let pass = groups(vec![group_with(vec![
        permission(Protocol::Tcp, Some((22, 22)), "10.0.0.0/8"),
        permission(Protocol::Tcp, Some((443, 443)), "0.0.0.0/0"),
    ])]);
    assert_eq!(status(CHECK, &pass), Status::Pass);
    let failing = only(CHECK, &groups(vec![group_with(vec![permission(Protocol::Tcp, Some((20, 3400)), "::/0")])]));
    assert_eq!(failing.status, Status::Fail);
    assert_eq!(failing.resource_arn, format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-1"));
    assert!(failing.message.starts_with("Security group sg-1 (sg-1-name) allows"), "{}", failing.message);
    let error = only(CHECK, &groups_denied());
    assert_eq!(error.status, Status::Error);
    assert_region_error(&error);
}
