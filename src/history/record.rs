//! The records history works on: a scan's header and its findings, reduced
//! to what comparing scans needs.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::ReportFinding;
use crate::severity::{Severity, Status};

/// A finding's identity across scans.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingKey {
    pub account_id: String,
    pub region: String,
    pub check_id: String,
    pub resource_id: String,
    pub resource_arn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub key: FindingKey,
    pub status: Status,
    pub severity: Severity,
    pub muted: bool,
    pub message: String,
    /// When the finding's current run of FAILs began (RFC 3339). An ERROR
    /// keeps the date of the FAILs before it, since it could not tell.
    pub failing_since: Option<String>,
}

impl FindingRecord {
    /// What history keeps of a report's finding.
    pub fn of(key: &FindingKey, finding: &ReportFinding) -> FindingRecord {
        FindingRecord {
            key: key.clone(),
            status: finding.status,
            severity: finding.severity,
            muted: finding.muted,
            message: finding.message.clone(),
            failing_since: finding.failing_since.clone(),
        }
    }
}

/// What a scan covered, and where it is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanHeader {
    /// The scan's id in the store; `None` for a scan read from a JSON report.
    pub id: Option<i64>,
    /// How a person names it: `scan 12` or the report's path.
    pub label: String,
    pub started_at: String,
    pub finished_at: String,
    pub principal_arn: String,
    pub tool_version: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub checks: Vec<String>,
}

impl ScanHeader {
    /// Whether this scan could have produced a finding with this key: its
    /// account and check were selected, and its region was scanned (or, for
    /// global findings in a region neither scan lists, is the same).
    pub fn covers(&self, key: &FindingKey, other: &ScanHeader) -> bool {
        let region_listed = |header: &ScanHeader| header.regions.contains(&key.region);
        self.accounts.contains(&key.account_id)
            && self.checks.contains(&key.check_id)
            && (region_listed(self) || !region_listed(other))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub header: ScanHeader,
    pub findings: Vec<FindingRecord>,
}

impl Snapshot {
    /// The same scan with only one account's findings.
    pub fn of_account(&self, account_id: &str) -> Snapshot {
        Snapshot {
            header: self.header.clone(),
            findings: self.findings.iter().filter(|finding| finding.key.account_id == account_id).cloned().collect(),
        }
    }

    pub fn by_key(&self) -> HashMap<&FindingKey, &FindingRecord> {
        self.findings.iter().map(|finding| (&finding.key, finding)).collect()
    }

    /// The keys that were failing and unmuted or muted alike.
    pub fn failing(&self) -> BTreeSet<&FindingKey> {
        self.findings.iter().filter(|finding| finding.status == Status::Fail).map(|finding| &finding.key).collect()
    }

    /// Each finding's state, for dating the next scan's FAILs.
    pub fn previous_states(&self) -> HashMap<FindingKey, PreviousState> {
        self.findings
            .iter()
            .map(|finding| {
                let state = PreviousState {
                    status: finding.status,
                    failing_since: finding.failing_since.clone(),
                    scan_started_at: self.header.started_at.clone(),
                };
                (finding.key.clone(), state)
            })
            .collect()
    }
}

/// A finding as the last scan that covered it saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousState {
    pub status: Status,
    pub failing_since: Option<String>,
    pub scan_started_at: String,
}

/// When a finding's run of FAILs began: inherited while it keeps failing
/// (or turns ERROR, which cannot tell), else the start of this scan.
pub fn failing_since(status: Status, previous: Option<&PreviousState>, started_at: &str) -> Option<String> {
    let inherited = previous.and_then(|previous| match previous.status {
        Status::Fail => Some(previous.failing_since.clone().unwrap_or_else(|| previous.scan_started_at.clone())),
        Status::Error => previous.failing_since.clone(),
        Status::Pass => None,
    });
    match status {
        Status::Fail => Some(inherited.unwrap_or_else(|| started_at.to_owned())),
        Status::Error => inherited,
        Status::Pass => None,
    }
}

/// Whole days from `since` to `until`, both RFC 3339; `None` if either is not.
pub fn age_in_days(since: &str, until: &str) -> Option<i64> {
    let since: Timestamp = since.parse().ok()?;
    let until: Timestamp = until.parse().ok()?;
    Some(until.duration_since(since).as_secs().max(0) / 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn previous(status: Status, since: Option<&str>) -> PreviousState {
        PreviousState {
            status,
            failing_since: since.map(str::to_owned),
            scan_started_at: "2026-11-01T00:00:00Z".to_owned(),
        }
    }

    #[test]
    fn a_fail_keeps_the_date_its_run_began() {
        let now = "2026-12-01T00:00:00Z";
        assert_eq!(failing_since(Status::Fail, None, now).as_deref(), Some(now));
        let before = previous(Status::Fail, Some("2026-10-01T00:00:00Z"));
        assert_eq!(failing_since(Status::Fail, Some(&before), now).as_deref(), Some("2026-10-01T00:00:00Z"));
        // A report without dates: the run began no later than that scan.
        let undated = previous(Status::Fail, None);
        assert_eq!(failing_since(Status::Fail, Some(&undated), now).as_deref(), Some("2026-11-01T00:00:00Z"));
        let fixed = previous(Status::Pass, None);
        assert_eq!(failing_since(Status::Fail, Some(&fixed), now).as_deref(), Some(now));
    }

    #[test]
    fn an_error_carries_the_date_through_and_a_pass_ends_it() {
        let now = "2026-12-01T00:00:00Z";
        let before = previous(Status::Fail, Some("2026-10-01T00:00:00Z"));
        let unknown = failing_since(Status::Error, Some(&before), now);
        assert_eq!(unknown.as_deref(), Some("2026-10-01T00:00:00Z"));
        let after_error = previous(Status::Error, unknown.as_deref());
        assert_eq!(failing_since(Status::Fail, Some(&after_error), now).as_deref(), Some("2026-10-01T00:00:00Z"));
        assert_eq!(failing_since(Status::Pass, Some(&before), now), None);
        assert_eq!(failing_since(Status::Error, None, now), None);
    }

    #[test]
    fn ages_count_whole_days() {
        assert_eq!(age_in_days("2026-11-01T12:00:00Z", "2026-11-03T11:00:00Z"), Some(1));
        assert_eq!(age_in_days("nonsense", "2026-11-03T11:00:00Z"), None);
    }
}
