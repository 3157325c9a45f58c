//! ELB security policies by name, with the oldest TLS version each accepts:
//! the data `elbv2_insecure_ssl_ciphers` judges by. From the predefined
//! policies of application and network load balancers
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html>,
//! as read in December 2026). ELB has no custom policies for these load
//! balancers, so a name outside this table and the naming rule below is a
//! policy bulkhead does not know yet: ERROR, never a guess.

/// A TLS version, by its minor number under 1.x.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tls(pub u8);

impl std::fmt::Display for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TLS 1.{}", self.0)
    }
}

/// The oldest TLS version a policy may accept and still pass: 1.0 and 1.1
/// are deprecated (RFC 8996) and their cipher suites weak.
pub const OLDEST_ACCEPTED: Tls = Tls(2);

/// Policies whose names do not say their oldest version.
const POLICIES: &[(&str, Tls)] = &[
    // The default of listeners created before 2023, still the default of the API.
    ("ELBSecurityPolicy-2016-08", Tls(0)),
    ("ELBSecurityPolicy-2015-05", Tls(0)),
    ("ELBSecurityPolicy-FS-2018-06", Tls(0)),
    ("ELBSecurityPolicy-TLS-1-0-2015-04", Tls(0)),
    ("ELBSecurityPolicy-TLS-1-1-2017-01", Tls(1)),
    ("ELBSecurityPolicy-FS-1-1-2019-08", Tls(1)),
    ("ELBSecurityPolicy-TLS-1-2-2017-01", Tls(2)),
    ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", Tls(2)),
    ("ELBSecurityPolicy-FS-1-2-2019-08", Tls(2)),
    ("ELBSecurityPolicy-FS-1-2-Res-2019-08", Tls(2)),
    ("ELBSecurityPolicy-FS-1-2-Res-2020-10", Tls(2)),
];

/// The oldest TLS version `policy` accepts, or `None` for a name bulkhead
/// does not know. Every policy since 2021 is named
/// `ELBSecurityPolicy-TLS13-1-<oldest minor>-...` (`-2021-06`, the FIPS
/// `-2023-04` and post-quantum `-PQ-2025-09` families alike), so the name
/// tells.
pub fn oldest_tls(policy: &str) -> Option<Tls> {
    if let Some((_, tls)) = POLICIES.iter().find(|(name, _)| *name == policy) {
        return Some(*tls);
    }
    let rest = policy.strip_prefix("ELBSecurityPolicy-TLS13-1-")?;
    let minor = rest.split('-').next()?;
    match minor {
        "0" | "1" | "2" | "3" => minor.parse().ok().map(Tls),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_the_naming_rule() {
        assert_eq!(oldest_tls("ELBSecurityPolicy-2016-08"), Some(Tls(0)));
        assert_eq!(oldest_tls("ELBSecurityPolicy-TLS13-1-2-2021-06"), Some(Tls(2)));
        assert_eq!(oldest_tls("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04"), Some(Tls(1)));
        assert_eq!(oldest_tls("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09"), Some(Tls(3)));
        assert_eq!(oldest_tls("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06"), Some(Tls(2)));
        assert_eq!(oldest_tls("ELBSecurityPolicy-TLS-1-2-Ext-2018-06"), Some(Tls(2)));
        assert_eq!(oldest_tls("ELBSecurityPolicy-TLS13-1-9-2030-01"), None);
        assert_eq!(oldest_tls("ELBSecurityPolicy-2030-01"), None);
        assert_eq!(oldest_tls("ELBSample-OpenSSLDefaultCipherPolicy"), None);
    }
}
