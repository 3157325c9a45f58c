//! Which security group rules open a port to the whole internet.

use crate::inventory::ec2::IpPermission;

pub const IPV4_INTERNET: &str = "0.0.0.0/0";
pub const IPV6_INTERNET: &str = "::/0";

/// What a check asks of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// All traffic: protocol `-1`, or every TCP port (0-65535).
    AllPorts,
    /// One TCP port, reachable through any rule whose protocol and range include it.
    TcpPort(u16),
}

/// The internet source a rule admits for `exposure`, if it does.
pub fn internet_source(rule: &IpPermission, exposure: Exposure) -> Option<&str> {
    if !covers(rule, exposure) {
        return None;
    }
    rule.ipv4_ranges.iter().chain(&rule.ipv6_ranges).map(String::as_str).find(|cidr| is_internet(cidr))
}

pub fn is_internet(cidr: &str) -> bool {
    cidr == IPV4_INTERNET || cidr == IPV6_INTERNET
}

fn covers(rule: &IpPermission, exposure: Exposure) -> bool {
    if is_all_protocols(&rule.protocol) {
        return true;
    }
    if !is_tcp(&rule.protocol) {
        return false;
    }
    let from = rule.from_port.unwrap_or(0);
    let to = rule.to_port.unwrap_or(65535);
    match exposure {
        Exposure::AllPorts => from <= 0 && to >= 65535,
        Exposure::TcpPort(port) => (from..=to).contains(&i32::from(port)),
    }
}

pub fn is_all_protocols(protocol: &str) -> bool {
    protocol == "-1" || protocol.eq_ignore_ascii_case("all")
}

pub fn is_tcp(protocol: &str) -> bool {
    protocol.eq_ignore_ascii_case("tcp") || protocol == "6"
}

/// "tcp 22", "tcp 0-1024", "all traffic": how a rule reads in a message.
pub fn describe_rule(rule: &IpPermission) -> String {
    if is_all_protocols(&rule.protocol) {
        return "all traffic".to_owned();
    }
    match (rule.from_port, rule.to_port) {
        (Some(from), Some(to)) if from == to => format!("{} {from}", rule.protocol),
        (Some(from), Some(to)) => format!("{} {from}-{to}", rule.protocol),
        _ => rule.protocol.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, ports: Option<(i32, i32)>, v4: &[&str], v6: &[&str]) -> IpPermission {
        IpPermission {
            protocol: protocol.to_owned(),
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
    fn udp_and_narrow_sources_do_not_count() {
        assert!(internet_source(&rule("udp", Some((22, 22)), &["0.0.0.0/0"], &[]), Exposure::TcpPort(22)).is_none());
        assert!(internet_source(&rule("tcp", Some((22, 22)), &["10.0.0.0/8"], &[]), Exposure::TcpPort(22)).is_none());
        assert!(internet_source(&rule("tcp", Some((22, 22)), &["0.0.0.0/1"], &[]), Exposure::TcpPort(22)).is_none());
    }
}
