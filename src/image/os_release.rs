//! `/etc/os-release` (os-release(5)): which distribution and release an
//! image is built on, and whether its vendor still supports that release,
//! from a dated table kept as data (`os_support.toml`, with its sources).

use std::sync::LazyLock;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The largest os-release file read (real ones are under 1 KiB).
pub const MAX_OS_RELEASE_BYTES: usize = 64 * 1024;

/// The paths an image's os-release may be at, in the order they count.
pub const OS_RELEASE_PATHS: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// What an os-release file says, as far as judging support goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    /// `ID` (`debian`, `alpine`, `amzn`).
    pub id: String,
    /// `VERSION_ID` (`12`, `3.19.1`, `2023`); `None` on rolling releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `PRETTY_NAME`, for messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
}

/// Parses `KEY=value` lines, values quoted or not; `None` without an `ID`.
pub fn parse(text: &str) -> Option<OsRelease> {
    let mut release = OsRelease::default();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else { continue };
        let value = unquote(value.trim());
        // Values are short words; anything long is not os-release.
        let value: String = value.chars().take(200).collect();
        match key {
            "ID" => release.id = value.to_ascii_lowercase(),
            "VERSION_ID" if !value.is_empty() => release.version_id = Some(value),
            "PRETTY_NAME" if !value.is_empty() => release.pretty_name = Some(value),
            _ => {}
        }
    }
    (!release.id.is_empty()).then_some(release)
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

impl OsRelease {
    /// `Debian GNU/Linux 12 (bookworm)`, else `ID VERSION_ID`.
    pub fn name(&self) -> String {
        self.pretty_name.clone().unwrap_or_else(|| match &self.version_id {
            Some(version) => format!("{} {version}", self.id),
            None => self.id.clone(),
        })
    }
}

/// The vendor's support of a release on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// Supported until `until` (the last day), per `source`.
    Until { until: Date, source: String },
    /// Ended on `ended`, per `source`.
    Ended { ended: Date, source: String },
    /// A rolling distribution: no release reaches an end.
    Rolling,
    /// Not in the table.
    Unknown,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    /// When the table was last checked against its sources.
    checked: Date,
    distribution: Vec<Distribution>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Distribution {
    /// `ID` values of os-release.
    ids: Vec<String>,
    source: String,
    #[serde(default)]
    rolling: bool,
    #[serde(default)]
    release: Vec<Release>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Release {
    /// A `VERSION_ID`, or its prefix up to a dot (`3.19` for `3.19.1`, `9` for `9.4`).
    version: String,
    /// The last day of the vendor's support (security updates).
    end: Date,
}

static TABLE: LazyLock<Table> =
    LazyLock::new(|| toml::from_str(include_str!("os_support.toml")).expect("os_support.toml is valid"));

/// The day the support table was last checked against its sources.
pub fn table_checked() -> Date {
    TABLE.checked
}

/// Whether `release` is supported on `day`, per the table.
pub fn support(release: &OsRelease, day: Date) -> Support {
    let Some(distribution) = TABLE.distribution.iter().find(|entry| entry.ids.contains(&release.id)) else {
        return Support::Unknown;
    };
    if distribution.rolling {
        return Support::Rolling;
    }
    let Some(version) = &release.version_id else { return Support::Unknown };
    // The longest version prefix the table knows: `3.19.1` -> `3.19`, `9.4` -> `9`.
    let entry = distribution
        .release
        .iter()
        .filter(|entry| version == &entry.version || version.starts_with(&format!("{}.", entry.version)))
        .max_by_key(|entry| entry.version.len());
    let Some(entry) = entry else { return Support::Unknown };
    let source = distribution.source.clone();
    if day > entry.end {
        Support::Ended { ended: entry.end, source }
    } else {
        Support::Until { until: entry.end, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(id: &str, version: Option<&str>) -> OsRelease {
        OsRelease { id: id.into(), version_id: version.map(Into::into), pretty_name: None }
    }

    #[test]
    fn os_release_files_are_read_as_the_spec_writes_them() {
        let debian =
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n";
        let parsed = parse(debian).unwrap();
        assert_eq!((parsed.id.as_str(), parsed.version_id.as_deref()), ("debian", Some("12")));
        assert_eq!(parsed.name(), "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(parse("ID='wolfi'\nNAME=Wolfi").unwrap().version_id, None);
        assert_eq!(parse("NAME=nothing"), None);
        assert_eq!(parse("\0\u{1}binary"), None);
    }

    #[test]
    fn releases_are_judged_on_the_day_given() {
        let day = |text: &str| text.parse::<Date>().unwrap();
        assert!(matches!(support(&release("debian", Some("10")), day("2026-12-07")), Support::Ended { .. }));
        assert!(matches!(support(&release("debian", Some("12")), day("2026-12-07")), Support::Until { .. }));
        assert!(matches!(support(&release("alpine", Some("3.19.1")), day("2026-12-07")), Support::Ended { .. }));
        assert!(matches!(support(&release("alpine", Some("3.22.0")), day("2026-12-07")), Support::Until { .. }));
        assert!(matches!(support(&release("rhel", Some("9.4")), day("2026-12-07")), Support::Until { .. }));
        assert!(matches!(support(&release("centos", Some("7")), day("2026-12-07")), Support::Ended { .. }));
        assert_eq!(support(&release("wolfi", None), day("2026-12-07")), Support::Rolling);
        assert_eq!(support(&release("plan9", Some("4")), day("2026-12-07")), Support::Unknown);
        assert_eq!(support(&release("debian", Some("99")), day("2026-12-07")), Support::Unknown);
        // The same release, a day before and a day after its end.
        let buster = release("debian", Some("10"));
        let Support::Ended { ended, .. } = support(&buster, day("2030-01-01")) else { panic!() };
        assert!(matches!(support(&buster, ended), Support::Until { .. }));
        assert!(matches!(support(&buster, ended.tomorrow().unwrap()), Support::Ended { .. }));
    }
}
