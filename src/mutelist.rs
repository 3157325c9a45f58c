//! Accepted risk: Prowler's mutelist YAML read as is, plus two keys of our
//! own per entry, `Reason` and `Expires`.
//!
//! ```yaml
//! Mutelist:
//!   Accounts:
//!     "123456789012":                 # or "*"
//!       Checks:
//!         "ec2_securitygroup_.*":     # "*", a check id, or a regex
//!           Regions: ["eu-west-1"]    # regexes ("*" for all)
//!           Resources: ["sg-0abc"]    # regexes, matched against the resource id and ARN
//!           Tags: ["team=web"]        # optional, all must match "key=value | key=value"
//!           Exceptions: {Accounts: [], Regions: [], Resources: [], Tags: []}
//!           Description: "..."        # Prowler's free text
//!           Reason: "accepted by ..."  # ours: shown with every muted finding
//!           Expires: 2026-12-31       # ours: mutes through this day (UTC), then stops
//! ```
//!
//! The file is read into raw structs that reject unknown keys; the values
//! that need checking (regexes, dates) check themselves while being read, so
//! an error still knows its line and key. All of it happens before any AWS call.
//!
//! What a mutelist may hold is bounded ([`MAX_FILE_BYTES`], [`MAX_ENTRIES`],
//! [`MAX_PATTERNS`]), and a finding is matched only against the entries of
//! its account and of `*` whose check key matches its check (`index`).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, de};

use crate::model::ReportFinding;
use crate::model::{ExpiredEntry, MutelistSummary};

mod index;
mod pattern;
mod reading;

use index::{Index, IndexBuilder};
pub use pattern::Pattern;
use reading::{Limits, Reading};

/// The largest mutelist file read, and the most text it may hold with its
/// YAML aliases (`*name`) counted as the text they repeat. Every entry is
/// held parsed, and the YAML parser takes several times the text: a
/// mutelist of 200,000 entries, each a check of one account with a region,
/// a resource or two and a reason, is 46 MiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The most entries (an account's check key with its patterns) a mutelist
/// may have: 250 for each account of a 1,000-account organisation.
pub const MAX_ENTRIES: usize = 250_000;

/// The most patterns (check keys, regions, resources, tags, exceptions) a
/// mutelist may have, aliases counted each time they are used: ten an
/// entry at the most entries.
pub const MAX_PATTERNS: usize = 2_500_000;

const LIMITS: Limits = Limits { entries: MAX_ENTRIES, patterns: MAX_PATTERNS, text_bytes: MAX_FILE_BYTES };

/// A mutelist that could not be read: exit 2, no scan.
#[derive(Debug, thiserror::Error)]
#[error("mutelist {}{}: {message}", path.display(), location.map(|(line, column)| format!(", line {line}, column {column}")).unwrap_or_default())]
pub struct MutelistError {
    pub path: PathBuf,
    /// 1-based line and column, when the error has a place in the file.
    pub location: Option<(usize, usize)>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Mutelist {
    pub path: PathBuf,
    /// In list order: accounts in order (`*` first), each account's check
    /// keys in file order. The first entry that mutes a finding names it.
    entries: Vec<Entry>,
    index: Index,
}

#[derive(Debug, Clone)]
struct Entry {
    account: String,
    /// The id of its check key in the index.
    check: u32,
    regions: Vec<Pattern>,
    resources: Vec<Pattern>,
    tags: Vec<Pattern>,
    exceptions: Option<RawExceptions>,
    reason: String,
    expires: Option<Date>,
}

impl Mutelist {
    pub fn load(path: &Path) -> Result<Mutelist, MutelistError> {
        let error = |message: String| MutelistError { path: path.to_owned(), location: None, message };
        let too_large = || error(format!("it is larger than {} MiB, the most a mutelist may be", MAX_FILE_BYTES >> 20));
        let mut file = std::fs::File::open(path).map_err(|err| error(format!("cannot read it: {err}")))?;
        if file.metadata().is_ok_and(|metadata| metadata.len() > MAX_FILE_BYTES) {
            return Err(too_large());
        }
        // The file may grow, or be a device, after its size was taken.
        let mut text = String::new();
        (&mut file)
            .take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|err| error(format!("cannot read it: {err}")))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large());
        }
        Mutelist::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Mutelist, MutelistError> {
        Mutelist::parse_within(path, text, LIMITS)
    }

    fn parse_within(path: &Path, text: &str, limits: Limits) -> Result<Mutelist, MutelistError> {
        let raw: RawFile = {
            let _reading = Reading::start(limits);
            serde_yaml_ng::from_str(text).map_err(|err| {
                let location = err.location().map(|at| (at.line(), at.column()));
                // The message ends with " at line L column C", which we give separately.
                let message = err.to_string();
                let message = match message.rfind(" at line ") {
                    Some(at) if location.is_some() => message[..at].to_owned(),
                    _ => message,
                };
                MutelistError { path: path.to_owned(), location, message }
            })?
        };
        let count: usize = raw.mutelist.accounts.values().map(|account| account.checks.0.len()).sum();
        let mut entries = Vec::with_capacity(count);
        let mut index = IndexBuilder::default();
        for (account, checks) in raw.mutelist.accounts {
            for (check, raw) in checks.checks.0 {
                let reason = raw
                    .reason
                    .or(raw.description)
                    .map(|text| text.0)
                    .unwrap_or_else(|| format!("mutelist entry for account {account}, check {}", check.text()));
                entries.push(Entry {
                    account: account.0.clone(),
                    check: index.add(&account.0, check),
                    regions: raw.regions,
                    resources: raw.resources,
                    tags: raw.tags,
                    exceptions: raw.exceptions,
                    reason,
                    expires: raw.expires,
                });
            }
        }
        Ok(Mutelist { path: path.to_owned(), entries, index: index.build() })
    }

    /// What the report says about this mutelist on `today`.
    pub fn summary(&self, today: Date) -> MutelistSummary {
        MutelistSummary {
            path: self.path.display().to_string(),
            entries: self.entries.len(),
            expired: self
                .entries
                .iter()
                .filter(|entry| entry.expired(today))
                .map(|entry| ExpiredEntry {
                    account: entry.account.clone(),
                    check: self.index.key(entry.check).text().to_owned(),
                    expires: entry.expires.map(|date| date.to_string()).unwrap_or_default(),
                    reason: entry.reason.clone(),
                })
                .collect(),
        }
    }

    /// Marks `finding` muted, with the reason, when an entry in force covers
    /// it: the first such entry in list order, as Prowler. Tag patterns
    /// match the resource tags the finding carries.
    pub fn apply(&self, finding: &mut ReportFinding, today: Date) {
        let tags = unroll_tags(&finding.resource_tags);
        let first = self.index.first(&finding.account_id, &finding.check_id, |position| {
            let entry = &self.entries[position];
            !entry.expired(today) && entry.covers(finding, &tags)
        });
        if let Some(position) = first {
            finding.muted = true;
            finding.mute_reason = Some(self.entries[position].reason.clone());
        }
    }
}

impl Entry {
    fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| today > expires)
    }

    /// Whether the entry mutes `finding`, given that its account and check
    /// key cover the finding's (the index's part).
    fn covers(&self, finding: &ReportFinding, tags: &str) -> bool {
        let resource = |patterns: &[Pattern]| {
            patterns.iter().any(|p| p.is_match(&finding.resource_id) || p.is_match(&finding.resource_arn))
        };
        let region = self.regions.iter().any(|p| p.is_match(&finding.region));
        let tagged = self.tags.iter().all(|p| p.is_match(tags));
        region && resource(&self.resources) && tagged && !self.excepted(finding, tags)
    }

    /// Prowler's rule: excepted when at least one exception list matches and
    /// every non-empty list matches.
    fn excepted(&self, finding: &ReportFinding, tags: &str) -> bool {
        let Some(exceptions) = &self.exceptions else {
            return false;
        };
        let accounts = exceptions.accounts.iter().any(|account| account.0 == finding.account_id);
        let regions = exceptions.regions.iter().any(|p| p.is_match(&finding.region));
        let resources =
            exceptions.resources.iter().any(|p| p.is_match(&finding.resource_id) || p.is_match(&finding.resource_arn));
        let tagged = !exceptions.tags.is_empty() && exceptions.tags.iter().all(|p| p.is_match(tags));
        (accounts || regions || resources || tagged)
            && (accounts || exceptions.accounts.is_empty())
            && (regions || exceptions.regions.is_empty())
            && (resources || exceptions.resources.is_empty())
            && (tagged || exceptions.tags.is_empty())
    }
}

/// Tags as Prowler shows them to tag patterns: `key=value | key=value`.
fn unroll_tags(tags: &BTreeMap<String, String>) -> String {
    tags.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join(" | ")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "Mutelist")]
    mutelist: RawMutelist,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMutelist {
    #[serde(rename = "Accounts")]
    accounts: BTreeMap<AccountKey, RawAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    #[serde(rename = "Checks")]
    checks: InOrder<Pattern, RawCheck>,
}

/// A YAML mapping kept as pairs in file order (a regex is no map key:
/// it has interior mutability): an account's entries.
#[derive(Debug)]
struct InOrder<K, V>(Vec<(K, V)>);

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for InOrder<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> de::Visitor<'de> for Visitor<K, V> {
            type Value = InOrder<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(key) = map.next_key()? {
                    // Counted before its value is read: the error names the key's place.
                    reading::entry().map_err(de::Error::custom)?;
                    pairs.push((key, map.next_value()?));
                }
                Ok(InOrder(pairs))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    #[serde(rename = "Regions")]
    regions: Vec<Pattern>,
    #[serde(rename = "Resources")]
    resources: Vec<Pattern>,
    #[serde(rename = "Tags", default)]
    tags: Vec<Pattern>,
    #[serde(rename = "Exceptions", default)]
    exceptions: Option<RawExceptions>,
    #[serde(rename = "Description", default)]
    description: Option<Text>,
    #[serde(rename = "Reason", default)]
    reason: Option<Text>,
    #[serde(rename = "Expires", default)]
    expires: Option<Date>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExceptions {
    #[serde(rename = "Accounts", default)]
    accounts: Vec<Text>,
    #[serde(rename = "Regions", default)]
    regions: Vec<Pattern>,
    #[serde(rename = "Resources", default)]
    resources: Vec<Pattern>,
    #[serde(rename = "Tags", default)]
    tags: Vec<Pattern>,
}

/// Free text, counted against the mutelist's limit on text.
#[derive(Debug, Clone)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        reading::text(&text).map_err(de::Error::custom)?;
        Ok(Text(text))
    }
}

/// An account id or `*`. YAML reads an unquoted 123456789012 as a number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct AccountKey(String);

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AccountKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = AccountKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an account id or \"*\"")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<AccountKey, E> {
                reading::text(value).map_err(E::custom)?;
                Ok(AccountKey(value.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<AccountKey, E> {
                // Account ids are 12 digits; a leading zero is lost when unquoted.
                let account = format!("{value:012}");
                reading::text(&account).map_err(E::custom)?;
                Ok(AccountKey(account))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Checks a string while the YAML reader is still on it, so the error gets
/// the string's own line, column and key path.
fn checked_str<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    check: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Visitor<T> {
        expecting: &'static str,
        check: fn(&str) -> Result<T, String>,
    }
    impl<T> de::Visitor<'_> for Visitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            reading::text(value).map_err(E::custom)?;
            (self.check)(value).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Visitor { expecting, check })
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        reading::pattern().map_err(de::Error::custom)?;
        checked_str(deserializer, "a regular expression", |text| {
            Pattern::new(text).map_err(|err| {
                let reason = match err {
                    regex::Error::Syntax(detail) => detail.lines().last().unwrap_or_default().to_owned(),
                    other => other.to_string(),
                };
                format!("{text:?} is not a valid regular expression ({reason})")
            })
        })
    }
}

/// A calendar day, `YYYY-MM-DD`, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(jiff::civil::Date);

impl Date {
    /// Exactly `YYYY-MM-DD` with a day that exists.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.splitn(3, '-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
            return None;
        }
        jiff::civil::Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok().map(Date)
    }

    /// Today in UTC.
    pub fn today() -> Date {
        Date(jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_str(deserializer, "a date YYYY-MM-DD", |text| {
            Date::parse(text).ok_or_else(|| format!("{text:?} is not a date of the form YYYY-MM-DD"))
        })
    }
}

#[cfg(test)]
mod tests;
