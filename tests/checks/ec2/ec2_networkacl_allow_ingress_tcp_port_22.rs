use bulkhead::inventory::ec2::{AclAction, Protocol};

use super::*;

const CHECK: &str = "ec2_networkacl_allow_ingress_tcp_port_22";

/// Status::Pass, Status::Fail and Status::Error, as every NACL check shows them.
#[test]
fn pass_fail_and_error() {
    acl_verdicts(CHECK);
}

#[test]
fn a_tcp_range_admits_the_port() {
    let tcp = acl(vec![acl_entry(100, Protocol::Tcp, Some((20, 30)), AclAction::Allow, "0.0.0.0/0")]);
    assert_eq!(status(CHECK, &acls(vec![tcp])), Status::Fail);
}
