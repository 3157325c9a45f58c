use super::*;

const CHECK: &str = "ec2_networkacl_allow_ingress_tcp_port_3389";

/// Status::Pass, Status::Fail and Status::Error, as every NACL check shows them.
#[test]
fn pass_fail_and_error() {
    acl_verdicts(CHECK);
}
