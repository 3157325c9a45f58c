use bulkhead::inventory::ec2::{AclAction, NetworkAcl, Protocol};

use super::*;

const CHECK: &str = "ec2_networkacl_allow_ingress_tcp_port_3389";

fn acl(entries: Vec<bulkhead::inventory::ec2::NetworkAclEntry>) -> NetworkAcl {
    NetworkAcl { entries, ..network_acl("acl-1") }
}

#[test]
fn first_matching_rule_decides() {
    let denied_first = acl(vec![
        acl_entry(90, Protocol::All, None, AclAction::Deny, "0.0.0.0/0"),
        acl_entry(100, Protocol::All, None, AclAction::Allow, "0.0.0.0/0"),
    ]);
    assert_eq!(status(CHECK, &acls(vec![denied_first])), Status::Pass);
    let allowed = acl(vec![acl_entry(100, Protocol::All, None, AclAction::Allow, "::/0")]);
    let finding = only(CHECK, &acls(vec![allowed]));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("inbound rule 100 is the first to match"), "{}", finding.message);
    assert_eq!(finding.resource_arn, format!("arn:aws:ec2:{REGION}:{ACCOUNT}:network-acl/acl-1"));
}

#[test]
fn a_failed_listing_is_error() {
    let finding = only(CHECK, &acls_denied());
    assert_eq!(finding.status, Status::Error);
    assert_region_error(&finding);
}
