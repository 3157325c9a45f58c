//! Which security group rules open a port to the whole internet.

use crate::inventory::ec2::{IpPermission, Protocol};

pub const IPV4_INTERNET: &str = "0.0.0.0/0";
pub const IPV6_INTERNET: &str = "::/0";

/// What a check asks of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// All traffic: protocol `-1`, or every TCP port (0-65535).
    AllPorts,
    /// One TCP port, reachable through any rule whose protocol and range include it.
    TcpPort(u16),
    /// Any TCP port of an inclusive range.
    TcpRange(u16, u16),
    /// Anything at all: any protocol, any port.
    AnyPort,
}

/// An address family: which of a rule's ranges admit a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Ipv4,
    Ipv6,
}

/// The internet source a rule admits for `exposure`, if it does.
pub fn internet_source(rule: &IpPermission, exposure: Exposure) -> Option<&str> {
    if !covers(rule, exposure) {
        return None;
    }
    rule.ipv4_ranges.iter().chain(&rule.ipv6_ranges).map(String::as_str).find(|cidr| is_internet(cidr))
}

/// The internet source of one address family a rule admits for `exposure`:
/// `0.0.0.0/0` lets no IPv6 client in, and `::/0` no IPv4 one.
pub fn internet_source_of(rule: &IpPermission, exposure: Exposure, family: Family) -> Option<&str> {
    if !covers(rule, exposure) {
        return None;
    }
    match family {
        Family::Ipv4 => rule.ipv4_ranges.iter().map(String::as_str).find(|cidr| *cidr == IPV4_INTERNET),
        Family::Ipv6 => rule.ipv6_ranges.iter().map(String::as_str).find(|cidr| *cidr == IPV6_INTERNET),
    }
}

pub fn is_internet(cidr: &str) -> bool {
    cidr == IPV4_INTERNET || cidr == IPV6_INTERNET
}

fn covers(rule: &IpPermission, exposure: Exposure) -> bool {
    if rule.protocol == Protocol::All || exposure == Exposure::AnyPort {
        return true;
    }
    if rule.protocol != Protocol::Tcp {
        return false;
    }
    let from = rule.from_port.unwrap_or(0);
    let to = rule.to_port.unwrap_or(65535);
    match exposure {
        Exposure::AllPorts => from <= 0 && to >= 65535,
        Exposure::TcpPort(port) => (from..=to).contains(&i32::from(port)),
        Exposure::TcpRange(low, high) => from <= i32::from(high) && to >= i32::from(low),
        Exposure::AnyPort => true,
    }
}

/// An IPv4 range of public addresses wider than a /24 (prefix /1 to /23),
/// as Prowler's `ec2_securitygroup_allow_wide_open_public_ipv4` judges it:
/// Python's `ip_network(cidr).is_global and 0 < prefixlen < 24`. `0.0.0.0/0`
/// is the internet-wide checks' business, not this one's.
pub fn is_wide_open_public_ipv4(cidr: &str) -> bool {
    let Some((address, prefix)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(address), Ok(prefix)) = (address.parse::<std::net::Ipv4Addr>(), prefix.parse::<u32>()) else {
        return false;
    };
    if !(1..24).contains(&prefix) {
        return false;
    }
    let mask = u32::MAX << (32 - prefix);
    let network = u32::from(address) & mask;
    let broadcast = network | !mask;
    // Python: a network is private when both ends are; global when not
    // private and not in 100.64.0.0/10 (shared address space).
    let private = is_private(network) && is_private(broadcast);
    let shared = in_range(network, [100, 64, 0, 0], 10) && in_range(broadcast, [100, 64, 0, 0], 10);
    !private && !shared
}

fn in_range(address: u32, base: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
    address & mask == u32::from(std::net::Ipv4Addr::from(base)) & mask
}

/// Python's `IPv4Address.is_private` ranges (IANA special-purpose registry).
fn is_private(address: u32) -> bool {
    const PRIVATE: [([u8; 4], u32); 15] = [
        ([0, 0, 0, 0], 8),
        ([10, 0, 0, 0], 8),
        ([127, 0, 0, 0], 8),
        ([169, 254, 0, 0], 16),
        ([172, 16, 0, 0], 12),
        ([192, 0, 0, 0], 29),
        ([192, 0, 0, 170], 31),
        ([192, 0, 2, 0], 24),
        ([192, 168, 0, 0], 16),
        ([198, 18, 0, 0], 15),
        ([198, 51, 100, 0], 24),
        ([203, 0, 113, 0], 24),
        ([240, 0, 0, 0], 4),
        ([255, 255, 255, 255], 32),
        ([192, 0, 0, 8], 32),
    ];
    PRIVATE.iter().any(|(base, prefix)| in_range(address, *base, *prefix))
}

/// What a rule opens, as a message names it after "allows": "all
/// traffic", "every tcp port", "tcp 22", "udp 53-60", "all icmp", "icmp
/// type 8 code 0", "protocol 47". EC2 gives a rule of every port as no
/// ports, -1 or 0-65535, and an ICMP rule's type and code in the port fields.
pub fn describe_rule(rule: &IpPermission) -> String {
    let ports = (rule.from_port.filter(|port| *port >= 0), rule.to_port.filter(|port| *port >= 0));
    let protocol = &rule.protocol;
    match protocol {
        Protocol::All => "all traffic".to_owned(),
        Protocol::Tcp | Protocol::Udp => match ports {
            (Some(from), Some(to)) if from <= 0 && to >= 65535 => format!("every {protocol} port"),
            (Some(from), Some(to)) if from == to => format!("{protocol} {from}"),
            (Some(from), Some(to)) => format!("{protocol} {from}-{to}"),
            _ => format!("every {protocol} port"),
        },
        Protocol::Icmp | Protocol::Icmpv6 => match ports {
            (Some(kind), Some(code)) => format!("{protocol} type {kind} code {code}"),
            (Some(kind), None) => format!("{protocol} type {kind}"),
            _ => format!("all {protocol}"),
        },
        Protocol::Number(_) | Protocol::Other(_) => format!("protocol {protocol}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, ports: Option<(i32, i32)>, v4: &[&str], v6: &[&str]) -> IpPermission {
        IpPermission {
            protocol: Protocol::parse(protocol),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            ipv4_ranges: v4.iter().map(|s| s.to_string()).collect(),
            ipv6_ranges: v6.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn all_traffic_opens_every_port() {
        let all = rule("-1", None, &["0.0.0.0/0"], &[]);
        assert_eq!(internet_source(&all, Exposure::AllPorts), Some("0.0.0.0/0"));
        assert_eq!(internet_source(&all, Exposure::TcpPort(22)), Some("0.0.0.0/0"));
        assert_eq!(internet_source(&all, Exposure::TcpPort(3389)), Some("0.0.0.0/0"));
    }

    #[test]
    fn full_tcp_range_counts_as_all_ports() {
        let full = rule("tcp", Some((0, 65535)), &[], &["::/0"]);
        assert_eq!(internet_source(&full, Exposure::AllPorts), Some("::/0"));
        let partial = rule("tcp", Some((1, 65535)), &["0.0.0.0/0"], &[]);
        assert_eq!(internet_source(&partial, Exposure::AllPorts), None);
        assert_eq!(internet_source(&partial, Exposure::TcpPort(22)), Some("0.0.0.0/0"));
    }

    #[test]
    fn ranges_that_include_the_port_count() {
        let range = rule("tcp", Some((20, 30)), &["0.0.0.0/0"], &[]);
        assert!(internet_source(&range, Exposure::TcpPort(22)).is_some());
        assert!(internet_source(&range, Exposure::TcpPort(3389)).is_none());
        let numeric = rule("6", Some((3389, 3389)), &["0.0.0.0/0"], &[]);
        assert!(internet_source(&numeric, Exposure::TcpPort(3389)).is_some());
    }

    #[test]
    fn ranges_and_any_port() {
        let mysql = rule("tcp", Some((3306, 3306)), &["0.0.0.0/0"], &[]);
        assert!(internet_source(&mysql, Exposure::TcpRange(3300, 3310)).is_some());
        assert!(internet_source(&mysql, Exposure::TcpRange(20, 21)).is_none());
        let udp = rule("udp", Some((53, 53)), &[], &["::/0"]);
        assert_eq!(internet_source(&udp, Exposure::AnyPort), Some("::/0"));
        assert!(internet_source(&udp, Exposure::TcpRange(1, 65535)).is_none());
    }

    #[test]
    fn wide_open_public_ipv4_follows_pythons_is_global() {
        assert!(is_wide_open_public_ipv4("52.0.0.0/8"));
        assert!(is_wide_open_public_ipv4("128.0.0.0/1"));
        assert!(is_wide_open_public_ipv4("203.0.112.0/23"));
        assert!(!is_wide_open_public_ipv4("203.0.113.0/24"), "a /24 is narrow enough");
        assert!(!is_wide_open_public_ipv4("0.0.0.0/0"), "the internet itself is another check's");
        assert!(!is_wide_open_public_ipv4("0.0.0.0/1"), "both ends private (0/8, 127/8), as in Python");
        assert!(!is_wide_open_public_ipv4("10.0.0.0/8"));
        assert!(!is_wide_open_public_ipv4("172.16.0.0/12"));
        assert!(!is_wide_open_public_ipv4("100.64.0.0/10"));
        assert!(!is_wide_open_public_ipv4("not a cidr"));
    }

    #[test]
    fn each_family_is_admitted_by_its_own_range_only() {
        let v6 = rule("tcp", Some((80, 80)), &[], &["::/0"]);
        assert_eq!(internet_source_of(&v6, Exposure::TcpPort(80), Family::Ipv6), Some("::/0"));
        assert_eq!(internet_source_of(&v6, Exposure::TcpPort(80), Family::Ipv4), None);
        let v4 = rule("-1", None, &["0.0.0.0/0"], &["2001:db8::/32"]);
        assert_eq!(internet_source_of(&v4, Exposure::TcpPort(80), Family::Ipv4), Some("0.0.0.0/0"));
        assert_eq!(internet_source_of(&v4, Exposure::TcpPort(80), Family::Ipv6), None);
    }

    #[test]
    fn udp_and_narrow_sources_do_not_count() {
        assert!(internet_source(&rule("udp", Some((22, 22)), &["0.0.0.0/0"], &[]), Exposure::TcpPort(22)).is_none());
        assert!(internet_source(&rule("tcp", Some((22, 22)), &["10.0.0.0/8"], &[]), Exposure::TcpPort(22)).is_none());
        assert!(internet_source(&rule("tcp", Some((22, 22)), &["0.0.0.0/1"], &[]), Exposure::TcpPort(22)).is_none());
    }
}
