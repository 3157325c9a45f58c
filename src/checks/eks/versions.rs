//! The dated table of EKS's Kubernetes versions (`kubernetes_versions.toml`,
//! embedded) and where a version stands on a given day.

use std::sync::LazyLock;

use jiff::civil::Date;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub source: String,
    pub as_of: Date,
    pub version: Vec<Version>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    pub version: String,
    pub released: Date,
    pub end_of_standard_support: Date,
    pub end_of_extended_support: Date,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    toml::from_str(include_str!("kubernetes_versions.toml"))
        .expect("kubernetes_versions.toml is valid (a test reads it)")
});

pub fn table() -> &'static Table {
    &TABLE
}

/// Where a version stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// In standard support until that day (inclusive), since EKS released it (the first day).
    Standard { released: Date, until: Date },
    /// In extended support until that day (inclusive).
    Extended(Date),
    /// Out of support: since that day, or (`None`) older than the table.
    Ended(Option<Date>),
    /// Newer than every version in the table.
    Newer,
    /// Not a `MAJOR.MINOR` version.
    Unreadable,
}

/// `1.31` (or `1.31.2`) as (major, minor).
fn minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

pub fn support(version: &str, today: Date) -> Support {
    let Some(wanted) = minor(version) else { return Support::Unreadable };
    let table = table();
    if let Some(entry) = table.version.iter().find(|entry| minor(&entry.version) == Some(wanted)) {
        return if today <= entry.end_of_standard_support {
            Support::Standard { released: entry.released, until: entry.end_of_standard_support }
        } else if today <= entry.end_of_extended_support {
            Support::Extended(entry.end_of_extended_support)
        } else {
            Support::Ended(Some(entry.end_of_extended_support))
        };
    }
    let newest = table.version.iter().filter_map(|entry| minor(&entry.version)).max();
    if newest.is_some_and(|newest| wanted > newest) { Support::Newer } else { Support::Ended(None) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn the_table_reads_and_each_version_s_dates_are_in_order() {
        let table = table();
        assert!(table.source.starts_with("https://docs.aws.amazon.com/eks/"));
        for entry in &table.version {
            assert!(minor(&entry.version).is_some(), "{}", entry.version);
            assert!(entry.released < entry.end_of_standard_support, "{}", entry.version);
            assert!(entry.end_of_standard_support < entry.end_of_extended_support, "{}", entry.version);
        }
    }

    #[test]
    fn a_version_is_judged_on_the_day() {
        assert_eq!(
            support("1.31", day("2025-11-26")),
            Support::Standard { released: day("2024-09-26"), until: day("2025-11-26") }
        );
        assert_eq!(support("1.31", day("2025-11-27")), Support::Extended(day("2026-11-26")));
        assert_eq!(support("1.31.4", day("2026-11-27")), Support::Ended(Some(day("2026-11-26"))));
        assert_eq!(support("1.19", day("2026-01-01")), Support::Ended(None));
        assert_eq!(support("1.99", day("2026-01-01")), Support::Newer);
        assert_eq!(support("latest", day("2026-01-01")), Support::Unreadable);
    }
}
