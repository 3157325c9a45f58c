//! EC2: security groups and network ACLs.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::ec2::{NetworkAcl, SecurityGroup};

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod ec2_networkacl_allow_ingress_any_port;
mod ec2_networkacl_allow_ingress_tcp_port_22;
mod ec2_networkacl_allow_ingress_tcp_port_3389;
mod ec2_securitygroup_allow_ingress_from_internet_to_all_ports;
mod ec2_securitygroup_allow_ingress_from_internet_to_any_port;
mod ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports;
mod ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22;
mod ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389;
mod ec2_securitygroup_allow_wide_open_public_ipv4;
mod ec2_securitygroup_default_restrict_traffic;
// END test modules.

/// The region's security groups, none attached.
fn groups(groups: Vec<SecurityGroup>) -> AccountInventory {
    account_with(|region| {
        region.ec2.security_groups = Collected::Ok(groups);
        region.ec2.network_interfaces = Collected::Ok(Vec::new());
    })
}

fn groups_denied() -> AccountInventory {
    account_with(|region| {
        region.ec2.security_groups = Collected::Failed(denied(Service::Ec2, "DescribeSecurityGroups"));
        region.ec2.network_interfaces = Collected::Ok(Vec::new());
    })
}

/// A group with these inbound rules.
fn group_with(ingress: Vec<bulkhead::inventory::ec2::IpPermission>) -> SecurityGroup {
    SecurityGroup { ingress, ..security_group("sg-1") }
}

fn acls(acls: Vec<NetworkAcl>) -> AccountInventory {
    account_with(|region| region.ec2.network_acls = Collected::Ok(acls))
}

fn acls_denied() -> AccountInventory {
    account_with(|region| region.ec2.network_acls = Collected::Failed(denied(Service::Ec2, "DescribeNetworkAcls")))
}

/// A listing that failed is one ERROR for the region, under the account's ARN.
fn assert_region_error(finding: &bulkhead::checks::Finding) {
    assert_eq!(finding.status, Status::Error);
    assert_eq!(finding.resource_id, REGION);
    assert_eq!(finding.resource_arn, format!("arn:aws:iam::{ACCOUNT}:root"));
    assert!(finding.message.contains("AccessDeniedException"), "{}", finding.message);
}

fn acl(entries: Vec<bulkhead::inventory::ec2::NetworkAclEntry>) -> NetworkAcl {
    NetworkAcl { entries, ..network_acl("acl-1") }
}

/// What every NACL check shows: the first matching rule decides (a deny of
/// all traffic before an allow passes, an allow of all traffic fails), and
/// a failed listing is one ERROR for the region.
fn acl_verdicts(check: &str) {
    use bulkhead::inventory::ec2::{AclAction, Protocol};
    let denied_first = acl(vec![
        acl_entry(90, Protocol::All, None, AclAction::Deny, "0.0.0.0/0"),
        acl_entry(100, Protocol::All, None, AclAction::Allow, "0.0.0.0/0"),
    ]);
    assert_eq!(status(check, &acls(vec![denied_first])), Status::Pass);
    let allowed = acl(vec![acl_entry(100, Protocol::All, None, AclAction::Allow, "::/0")]);
    let finding = only(check, &acls(vec![allowed]));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("inbound rule 100 is the first to match"), "{}", finding.message);
    assert_eq!(finding.resource_arn, format!("arn:aws:ec2:{REGION}:{ACCOUNT}:network-acl/acl-1"));
    let error = only(check, &acls_denied());
    assert_eq!(error.status, Status::Error);
    assert_region_error(&error);
}
