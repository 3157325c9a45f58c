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

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::{Deserialize, Deserializer, de};

use crate::model::ReportFinding;
use crate::model::{ExpiredEntry, MutelistSummary};

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
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    account: String,
    check: Pattern,
    regions: Vec<Pattern>,
    resources: Vec<Pattern>,
    tags: Vec<Pattern>,
    exceptions: Option<RawExceptions>,
    reason: String,
    expires: Option<Date>,
}

impl Mutelist {
    pub fn load(path: &Path) -> Result<Mutelist, MutelistError> {
        let text = std::fs::read_to_string(path).map_err(|err| MutelistError {
            path: path.to_owned(),
            location: None,
            message: format!("cannot read it: {err}"),
        })?;
        Mutelist::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Mutelist, MutelistError> {
        let raw: RawFile = serde_yaml_ng::from_str(text).map_err(|err| {
            let location = err.location().map(|at| (at.line(), at.column()));
            // The message ends with " at line L column C", which we give separately.
            let message = err.to_string();
            let message = match message.rfind(" at line ") {
                Some(at) if location.is_some() => message[..at].to_owned(),
                _ => message,
            };
            MutelistError { path: path.to_owned(), location, message }
        })?;
        let mut entries = Vec::new();
        for (account, checks) in raw.mutelist.accounts {
            for (check, raw) in checks.checks.0 {
                let reason = raw
                    .reason
                    .or(raw.description)
                    .unwrap_or_else(|| format!("mutelist entry for account {account}, check {}", check.text));
                entries.push(Entry {
                    account: account.0.clone(),
                    check,
                    regions: raw.regions,
                    resources: raw.resources,
                    tags: raw.tags,
                    exceptions: raw.exceptions,
                    reason,
                    expires: raw.expires,
                });
            }
        }
        Ok(Mutelist { path: path.to_owned(), entries })
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
                    check: entry.check.text.clone(),
                    expires: entry.expires.map(|date| date.to_string()).unwrap_or_default(),
                    reason: entry.reason.clone(),
                })
                .collect(),
        }
    }

    /// Marks `finding` muted, with the reason, when an entry in force covers
    /// it. Tag patterns match the resource tags the finding carries.
    pub fn apply(&self, finding: &mut ReportFinding, today: Date) {
        let tags = unroll_tags(&finding.resource_tags);
        if let Some(entry) = self.entries.iter().find(|entry| !entry.expired(today) && entry.mutes(finding, &tags)) {
            finding.muted = true;
            finding.mute_reason = Some(entry.reason.clone());
        }
    }
}

impl Entry {
    fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| today > expires)
    }

    fn mutes(&self, finding: &ReportFinding, tags: &str) -> bool {
        let account = self.account == "*" || self.account == finding.account_id;
        let check =
            self.check.text == "*" || self.check.text == finding.check_id || self.check.is_match(&finding.check_id);
        if !(account && check) {
            return false;
        }
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
        let accounts = exceptions.accounts.iter().any(|account| account == &finding.account_id);
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
/// it has interior mutability).
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
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
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
    description: Option<String>,
    #[serde(rename = "Reason", default)]
    reason: Option<String>,
    #[serde(rename = "Expires", default)]
    expires: Option<Date>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExceptions {
    #[serde(rename = "Accounts", default)]
    accounts: Vec<String>,
    #[serde(rename = "Regions", default)]
    regions: Vec<Pattern>,
    #[serde(rename = "Resources", default)]
    resources: Vec<Pattern>,
    #[serde(rename = "Tags", default)]
    tags: Vec<Pattern>,
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
                Ok(AccountKey(value.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<AccountKey, E> {
                // Account ids are 12 digits; a leading zero is lost when unquoted.
                Ok(AccountKey(format!("{value:012}")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A Prowler-style pattern: a regex searched anywhere in the text, where a
/// leading `*` means `.*` (so `*` alone matches everything).
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    regex: Regex,
}

impl Pattern {
    pub fn new(text: &str) -> Result<Pattern, regex::Error> {
        let source = match text.strip_prefix('*') {
            Some(rest) => format!(".*{rest}"),
            None => text.to_owned(),
        };
        Ok(Pattern { text: text.to_owned(), regex: Regex::new(&source)? })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
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
            (self.check)(value).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Visitor { expecting, check })
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
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
mod tests {
    use super::*;
    use crate::severity::Status;

    fn parse(text: &str) -> Result<Mutelist, MutelistError> {
        Mutelist::parse(Path::new("mute.yaml"), text)
    }

    fn finding(check: &str, region: &str, resource: &str) -> ReportFinding {
        ReportFinding {
            check_id: check.into(),
            title: String::new(),
            severity: crate::severity::Severity::High,
            status: Status::Fail,
            muted: false,
            mute_reason: None,
            account_id: "111122223333".into(),
            region: region.into(),
            service: "ec2".into(),
            resource_type: String::new(),
            resource_id: resource.into(),
            resource_arn: format!("arn:aws:ec2:{region}:111122223333:security-group/{resource}"),
            message: "m".into(),
            compliance: Default::default(),
            resource_name: resource.into(),
            resource_tags: Default::default(),
            resource_details: String::new(),
            failing_since: None,
        }
    }

    fn muted(list: &Mutelist, finding: &ReportFinding, tags: &[(&str, &str)], today: &str) -> Option<String> {
        let mut finding = finding.clone();
        finding.resource_tags = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        list.apply(&mut finding, Date::parse(today).unwrap());
        assert_eq!(finding.muted, finding.mute_reason.is_some());
        finding.mute_reason
    }

    const PROWLER_EXAMPLE: &str = r#"
Mutelist:
  Accounts:
    "111122223333":
      Checks:
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22":
          Regions: ["eu-west-1"]
          Resources: ["sg-1", "sg-2"]
        "ec2_networkacl_*":
          Regions: ["*"]
          Resources: ["*"]
          Description: "every NACL check"
    "*":
      Checks:
        "*":
          Regions: ["*"]
          Resources: ["bastion"]
          Tags: ["team=ops", "env=prod|env=stage"]
          Exceptions:
            Regions: ["us-east-1"]
          Reason: "bastions are reviewed quarterly"
          Expires: 2030-01-31
"#;

    #[test]
    fn reads_prowler_mutelists_and_mutes_like_prowler() {
        let list = parse(PROWLER_EXAMPLE).unwrap();
        let today = "2026-06-01";
        let ssh = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";
        assert!(muted(&list, &finding(ssh, "eu-west-1", "sg-1"), &[], today).is_some());
        assert!(muted(&list, &finding(ssh, "us-east-1", "sg-1"), &[], today).is_none());
        assert!(muted(&list, &finding(ssh, "eu-west-1", "sg-3"), &[], today).is_none());
        // A check key is a regex; the Description is the reason when there is no Reason.
        let nacl = finding("ec2_networkacl_allow_ingress_any_port", "ap-southeast-2", "acl-1");
        assert_eq!(muted(&list, &nacl, &[], today).as_deref(), Some("every NACL check"));
        let mut other_account = nacl.clone();
        other_account.account_id = "444455556666".into();
        assert!(muted(&list, &other_account, &[], today).is_none());

        // Tags are ANDed; "|" inside one pattern is an OR.
        let bastion = finding("ecr_images_signed", "eu-west-1", "bastion-sg");
        let reason = Some("bastions are reviewed quarterly".to_owned());
        assert_eq!(muted(&list, &bastion, &[("team", "ops"), ("env", "stage")], today), reason);
        assert!(muted(&list, &bastion, &[("team", "ops")], today).is_none());
        assert!(muted(&list, &bastion, &[("team", "dev"), ("env", "prod")], today).is_none());
        // An exception un-mutes.
        let excepted = finding("ecr_images_signed", "us-east-1", "bastion-sg");
        assert!(muted(&list, &excepted, &[("team", "ops"), ("env", "prod")], today).is_none());
    }

    #[test]
    fn an_entry_mutes_through_its_expiry_day_and_not_after() {
        let list = parse(PROWLER_EXAMPLE).unwrap();
        let bastion = finding("ecr_images_signed", "eu-west-1", "bastion");
        let tags = [("team", "ops"), ("env", "prod")];
        assert!(muted(&list, &bastion, &tags, "2030-01-31").is_some());
        assert!(muted(&list, &bastion, &tags, "2030-02-01").is_none());
        let summary = list.summary(Date::parse("2030-02-01").unwrap());
        assert_eq!(summary.entries, 3);
        assert_eq!(summary.expired.len(), 1);
        assert_eq!(summary.expired[0].expires, "2030-01-31");
        assert_eq!(summary.expired[0].account, "*");
        assert!(list.summary(Date::parse("2030-01-31").unwrap()).expired.is_empty());
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        let cases = [
            ("Mutelist: [", "mute.yaml"),
            (
                "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n          Reasn: x\n",
                "unknown field `Reasn`",
            ),
            (
                "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"(unclosed\"]\n",
                "\"(unclosed\" is not a valid regular expression",
            ),
            (
                "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n          Expires: 2026-02-30\n",
                "\"2026-02-30\" is not a date",
            ),
            (
                "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Resources: [\"*\"]\n",
                "missing field `Regions`",
            ),
            ("Allowlist: {}\n", "unknown field `Allowlist`"),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.starts_with("mutelist mute.yaml"), "{err}");
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
        let err = parse(cases[2].0).unwrap_err();
        assert_eq!(err.location.map(|(line, _)| line), Some(7), "{err}");
        assert!(err.message.contains("Resources"), "the key path is named: {err}");
        let err = parse(cases[3].0).unwrap_err();
        assert_eq!(err.location.map(|(line, _)| line), Some(8), "{err}");
        assert!(err.message.contains("Expires"), "{err}");
    }

    #[test]
    fn unquoted_account_ids_and_patterns() {
        let list = parse("Mutelist:\n  Accounts:\n    111122223333:\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n").unwrap();
        assert_eq!(list.entries[0].account, "111122223333");
        assert!(Pattern::new("*").unwrap().is_match(""));
        assert!(Pattern::new("*-prod").unwrap().is_match("web-prod"));
        assert!(Pattern::new("sg-1").unwrap().is_match("sg-123"), "unanchored, as Prowler's re.search");
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-01-01T00:00:00Z", "tomorrow"] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(Date::today() > Date::parse("2025-01-01").unwrap());
    }
}
