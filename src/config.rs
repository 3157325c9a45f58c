//! The settings checks read: thresholds and trust lists, with the defaults a
//! scan uses when no `bulkhead.toml` says otherwise.

use crate::severity::Severity;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Access keys older than this fail key rotation.
    pub access_key_max_age_days: u32,
    /// Access keys unused for longer than this fail.
    pub access_key_unused_days: u32,
    /// Registries images may come from besides ECR in the audited accounts
    /// (host names, e.g. `public.ecr.aws`, `ghcr.io/acme`).
    pub trusted_registries: Vec<String>,
    /// TCP ports (inclusive ranges) that must not be open to the internet.
    pub high_risk_tcp_ports: Vec<(u16, u16)>,
    /// The lowest image vulnerability severity that fails the latest-image check.
    pub min_vulnerability_severity: Severity,
    /// Accounts trusted for cross-account access besides the audited ones.
    pub trusted_accounts: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            access_key_max_age_days: 90,
            access_key_unused_days: 45,
            trusted_registries: Vec::new(),
            high_risk_tcp_ports: vec![
                (20, 21),
                (23, 23),
                (1433, 1434),
                (1521, 1521),
                (2483, 2483),
                (3306, 3306),
                (5432, 5432),
                (5601, 5601),
                (6379, 6379),
                (7199, 7199),
                (8888, 8888),
                (9092, 9092),
                (9160, 9160),
                (9200, 9200),
                (9300, 9300),
                (11211, 11211),
                (27017, 27018),
            ],
            min_vulnerability_severity: Severity::High,
            trusted_accounts: Vec::new(),
        }
    }
}
