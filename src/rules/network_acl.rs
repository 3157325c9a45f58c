//! Network ACL evaluation as AWS does it: inbound rules in ascending rule
//! number, first match wins.
//!
//! "From the internet" means a rule whose source is the whole address space
//! (`0.0.0.0/0` or `::/0`). A rule for a narrower range neither exposes the
//! subnet to the internet nor shields it from the internet, so it is skipped;
//! each address family is evaluated on its own.

use crate::inventory::ec2::{AclAction, NetworkAclEntry, Protocol};
use crate::rules::security_group::{IPV4_INTERNET, IPV6_INTERNET};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// All traffic, as Prowler reads it: an allow of protocol `-1` reached
    /// before any deny of protocol `-1`. A deny of one port does not shadow it.
    AllTraffic,
    TcpPort(u16),
}

/// The rule that admits `probe` from the internet, if any.
pub fn admitting_rule(entries: &[NetworkAclEntry], probe: Probe) -> Option<&NetworkAclEntry> {
    [IPV4_INTERNET, IPV6_INTERNET].into_iter().find_map(|internet| first_internet_match(entries, internet, probe))
}

fn first_internet_match<'a>(
    entries: &'a [NetworkAclEntry],
    internet: &str,
    probe: Probe,
) -> Option<&'a NetworkAclEntry> {
    let mut inbound: Vec<&NetworkAclEntry> = entries
        .iter()
        .filter(|entry| !entry.egress)
        .filter(|entry| entry.ipv4_cidr.as_deref() == Some(internet) || entry.ipv6_cidr.as_deref() == Some(internet))
        .collect();
    inbound.sort_by_key(|entry| entry.rule_number);
    let deciding = inbound.into_iter().find(|entry| matches(entry, probe))?;
    (deciding.action == AclAction::Allow).then_some(deciding)
}

fn matches(entry: &NetworkAclEntry, probe: Probe) -> bool {
    match probe {
        Probe::AllTraffic => entry.protocol == Protocol::All,
        Probe::TcpPort(port) => {
            entry.protocol == Protocol::All
                || (entry.protocol == Protocol::Tcp
                    && entry.port_range.is_none_or(|(from, to)| (from..=to).contains(&i32::from(port))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rule: i32, protocol: &str, ports: Option<(i32, i32)>, action: AclAction, cidr: &str) -> NetworkAclEntry {
        let v6 = cidr.contains(':');
        NetworkAclEntry {
            rule_number: rule,
            egress: false,
            protocol: Protocol::parse(protocol),
            action,
            ipv4_cidr: (!v6).then(|| cidr.to_owned()),
            ipv6_cidr: v6.then(|| cidr.to_owned()),
            port_range: ports,
        }
    }

    use AclAction::{Allow, Deny};

    fn default_acl() -> Vec<NetworkAclEntry> {
        vec![entry(100, "-1", None, Allow, "0.0.0.0/0"), entry(32767, "-1", None, Deny, "0.0.0.0/0")]
    }

    #[test]
    fn default_allow_all_fails_every_probe() {
        let acl = default_acl();
        for probe in [Probe::AllTraffic, Probe::TcpPort(22), Probe::TcpPort(3389)] {
            assert_eq!(admitting_rule(&acl, probe).map(|e| e.rule_number), Some(100), "{probe:?}");
        }
    }

    #[test]
    fn lower_numbered_deny_wins_regardless_of_list_order() {
        let acl = vec![entry(100, "-1", None, Allow, "0.0.0.0/0"), entry(90, "6", Some((22, 22)), Deny, "0.0.0.0/0")];
        assert!(admitting_rule(&acl, Probe::TcpPort(22)).is_none());
        assert!(admitting_rule(&acl, Probe::TcpPort(3389)).is_some());
        // A deny of one port does not shadow an allow of all traffic (Prowler's reading).
        assert!(admitting_rule(&acl, Probe::AllTraffic).is_some());
        let denied_first = vec![entry(100, "-1", None, Allow, "0.0.0.0/0"), entry(90, "-1", None, Deny, "0.0.0.0/0")];
        assert!(admitting_rule(&denied_first, Probe::AllTraffic).is_none());
    }

    #[test]
    fn higher_numbered_deny_does_not_shadow() {
        let acl = vec![
            entry(100, "6", Some((0, 65535)), Allow, "0.0.0.0/0"),
            entry(110, "6", Some((22, 22)), Deny, "0.0.0.0/0"),
        ];
        assert_eq!(admitting_rule(&acl, Probe::TcpPort(22)).map(|e| e.rule_number), Some(100));
        // TCP-only allows do not open every protocol.
        assert!(admitting_rule(&acl, Probe::AllTraffic).is_none());
    }

    #[test]
    fn ipv6_is_evaluated_on_its_own() {
        let acl = vec![entry(90, "-1", None, Deny, "0.0.0.0/0"), entry(100, "-1", None, Allow, "::/0")];
        assert_eq!(admitting_rule(&acl, Probe::TcpPort(22)).and_then(|e| e.ipv6_cidr.clone()), Some("::/0".into()));
        assert!(admitting_rule(&acl, Probe::AllTraffic).is_some());
    }

    #[test]
    fn narrow_sources_and_egress_are_ignored() {
        let mut egress = entry(50, "-1", None, Allow, "0.0.0.0/0");
        egress.egress = true;
        let acl = vec![
            egress,
            entry(60, "6", Some((22, 22)), Allow, "10.0.0.0/8"),
            entry(70, "6", Some((22, 22)), Deny, "192.0.2.0/24"),
            entry(32767, "-1", None, Deny, "0.0.0.0/0"),
        ];
        assert!(admitting_rule(&acl, Probe::TcpPort(22)).is_none());
        assert!(admitting_rule(&acl, Probe::AllTraffic).is_none());
    }

    #[test]
    fn udp_allow_does_not_open_a_tcp_port() {
        let acl = vec![entry(100, "17", Some((22, 22)), Allow, "0.0.0.0/0")];
        assert!(admitting_rule(&acl, Probe::TcpPort(22)).is_none());
    }

    #[test]
    fn tcp_range_including_the_port_opens_it() {
        let acl = vec![entry(100, "6", Some((3000, 4000)), Allow, "0.0.0.0/0")];
        assert!(admitting_rule(&acl, Probe::TcpPort(3389)).is_some());
        assert!(admitting_rule(&acl, Probe::TcpPort(22)).is_none());
    }
}
