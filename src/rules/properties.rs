//! Property tests for the network ACL evaluator: it must agree with a
//! plain restatement of the rule, and never panic.

use proptest::prelude::*;

use crate::inventory::ec2::{AclAction, NetworkAclEntry, Protocol};
use crate::rules::network_acl::{Probe, admitting_rule};

const SOURCES: [&str; 4] = ["0.0.0.0/0", "::/0", "10.0.0.0/8", "2001:db8::/32"];

fn acl_entry() -> impl Strategy<Value = NetworkAclEntry> {
    let ports = prop_oneof![Just(None), (0i32..4000, 0i32..4000).prop_map(|(a, b)| Some((a.min(b), a.max(b))))];
    (
        1i32..120,
        prop::sample::select(vec!["-1", "6", "17", "1", "all"]),
        ports,
        any::<bool>(),
        prop::sample::select(SOURCES.to_vec()),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(rule_number, protocol, port_range, allow, source, egress)| NetworkAclEntry {
            rule_number,
            egress,
            protocol: Protocol::parse(protocol),
            action: if allow { AclAction::Allow } else { AclAction::Deny },
            ipv4_cidr: (!source.contains(':')).then(|| source.to_owned()),
            ipv6_cidr: source.contains(':').then(|| source.to_owned()),
            port_range: if protocol == "6" || protocol == "17" { port_range } else { None },
        })
}

/// A rule list as AWS allows it: rule numbers unique per direction.
fn acl() -> impl Strategy<Value = Vec<NetworkAclEntry>> {
    prop::collection::vec(acl_entry(), 0..14).prop_map(|mut entries| {
        let mut seen = std::collections::HashSet::new();
        entries.retain(|entry| seen.insert((entry.rule_number, entry.egress)));
        entries
    })
}

fn probe() -> impl Strategy<Value = Probe> {
    prop_oneof![
        Just(Probe::AllTraffic),
        Just(Probe::TcpPort(22)),
        Just(Probe::TcpPort(3389)),
        (0u16..4000).prop_map(Probe::TcpPort)
    ]
}

/// The rule restated: for each internet source on its own, the inbound
/// rule with the lowest number among those covering the traffic decides.
fn oracle(entries: &[NetworkAclEntry], probe: Probe) -> bool {
    ["0.0.0.0/0", "::/0"].iter().any(|internet| {
        let covers = |entry: &&NetworkAclEntry| {
            let all = entry.protocol == Protocol::All;
            let traffic = match probe {
                Probe::AllTraffic => all,
                Probe::TcpPort(port) => {
                    all || (entry.protocol == Protocol::Tcp
                        && entry.port_range.is_none_or(|(from, to)| from <= i32::from(port) && i32::from(port) <= to))
                }
            };
            !entry.egress
                && (entry.ipv4_cidr.as_deref() == Some(internet) || entry.ipv6_cidr.as_deref() == Some(internet))
                && traffic
        };
        entries
            .iter()
            .filter(covers)
            .min_by_key(|entry| entry.rule_number)
            .is_some_and(|e| e.action == AclAction::Allow)
    })
}

proptest! {
    #[test]
    fn nacl_verdict_equals_the_rule_restated(entries in acl(), probe in probe()) {
        prop_assert_eq!(admitting_rule(&entries, probe).is_some(), oracle(&entries, probe));
    }

    #[test]
    fn nacl_verdict_ignores_list_order(entries in acl(), probe in probe(), seed in any::<u64>()) {
        let mut shuffled = entries.clone();
        // A cheap deterministic shuffle: sort by a hash of (seed, position).
        let mut keyed: Vec<(u64, NetworkAclEntry)> = shuffled
            .drain(..)
            .enumerate()
            .map(|(i, e)| ((i as u64 + 1).wrapping_mul(seed | 1).rotate_left(17), e))
            .collect();
        keyed.sort_by_key(|(key, _)| *key);
        let shuffled: Vec<NetworkAclEntry> = keyed.into_iter().map(|(_, e)| e).collect();
        let before = admitting_rule(&entries, probe).map(|e| e.rule_number);
        let after = admitting_rule(&shuffled, probe).map(|e| e.rule_number);
        prop_assert_eq!(before, after);
    }

    #[test]
    fn an_admitting_rule_is_an_inbound_internet_allow(entries in acl(), probe in probe()) {
        if let Some(rule) = admitting_rule(&entries, probe) {
            prop_assert_eq!(rule.action, AclAction::Allow);
            prop_assert!(!rule.egress);
            prop_assert!(rule.ipv4_cidr.as_deref() == Some("0.0.0.0/0") || rule.ipv6_cidr.as_deref() == Some("::/0"));
        }
    }
}
