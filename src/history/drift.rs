//! Drift: what changed between two scans, computed from their snapshots
//! alone. A finding is compared only where both scans could have produced
//! it (same account, check and region selected); the rest shows up as
//! accounts, regions or checks added and removed, never as "resolved".

use std::collections::BTreeSet;

use super::record::{FindingRecord, ScanHeader, Snapshot, age_in_days};
use crate::model::{ChangedFinding, Changes, ResourceRef, ScanInfo};
use crate::severity::Status;

pub fn compare(base: &Snapshot, new: &Snapshot) -> Changes {
    let base_by_key = base.by_key();
    let new_by_key = new.by_key();
    let comparable = |record: &FindingRecord| {
        base.header.covers(&record.key, &new.header) && new.header.covers(&record.key, &base.header)
    };
    let mut changes = Changes {
        base: scan_info(&base.header),
        new: scan_info(&new.header),
        accounts_added: added(&base.header.accounts, &new.header.accounts),
        accounts_removed: added(&new.header.accounts, &base.header.accounts),
        regions_added: added(&base.header.regions, &new.header.regions),
        regions_removed: added(&new.header.regions, &base.header.regions),
        checks_added: added(&base.header.checks, &new.header.checks),
        checks_removed: added(&new.header.checks, &base.header.checks),
        ..Changes::default()
    };

    for record in new.findings.iter().filter(|record| comparable(record)) {
        let before = base_by_key.get(&record.key).map(|before| before.status);
        let entry = || changed(record, &new.header, None);
        match (before, record.status) {
            (Some(Status::Fail), Status::Fail) => changes.still_failing.push(entry()),
            (_, Status::Fail) => changes.new_failures.push(entry()),
            (Some(Status::Error), Status::Error) => {}
            (_, Status::Error) => changes.new_errors.push(entry()),
            (Some(Status::Error), _) => changes.resolved_errors.push(entry()),
            _ => {}
        }
    }
    for record in base.findings.iter().filter(|record| comparable(record)) {
        let now = new_by_key.get(&record.key).map(|now| now.status);
        match (record.status, now) {
            (Status::Fail, Some(Status::Pass)) => {
                changes.resolved_failures.push(changed(record, &base.header, Some("passes now")));
            }
            (Status::Fail, None) => {
                changes.resolved_failures.push(changed(record, &base.header, Some("resource no longer exists")));
            }
            (Status::Error, None) => {
                changes.resolved_errors.push(changed(record, &base.header, Some("resource no longer exists")));
            }
            _ => {}
        }
    }

    let resources = |snapshot: &Snapshot| -> BTreeSet<ResourceRef> {
        snapshot.findings.iter().filter(|record| comparable(record)).map(resource).collect()
    };
    let (before, now) = (resources(base), resources(new));
    changes.resources_appeared = now.difference(&before).cloned().collect();
    changes.resources_disappeared = before.difference(&now).cloned().collect();
    order(&mut changes);
    changes
}

/// Adds the findings and resources of `part` (the same two scans compared
/// on other accounts) to `total`; [`order`] sorts them again.
pub fn absorb(total: &mut Changes, part: Changes) {
    total.new_failures.extend(part.new_failures);
    total.resolved_failures.extend(part.resolved_failures);
    total.still_failing.extend(part.still_failing);
    total.new_errors.extend(part.new_errors);
    total.resolved_errors.extend(part.resolved_errors);
    total.resources_appeared.extend(part.resources_appeared);
    total.resources_disappeared.extend(part.resources_disappeared);
}

/// Changes in the order every view shows them.
pub fn order(changes: &mut Changes) {
    changes.resources_appeared.sort();
    changes.resources_disappeared.sort();
    for list in [
        &mut changes.new_failures,
        &mut changes.resolved_failures,
        &mut changes.still_failing,
        &mut changes.new_errors,
        &mut changes.resolved_errors,
    ] {
        // Worst first, then by where it is.
        list.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.sort_key().cmp(&b.sort_key())));
    }
}

fn scan_info(header: &ScanHeader) -> ScanInfo {
    ScanInfo { id: header.id, label: header.label.clone(), started_at: header.started_at.clone() }
}

fn added(before: &[String], now: &[String]) -> Vec<String> {
    let before: BTreeSet<&String> = before.iter().collect();
    now.iter().filter(|item| !before.contains(item)).cloned().collect::<BTreeSet<_>>().into_iter().collect()
}

fn resource(record: &FindingRecord) -> ResourceRef {
    ResourceRef {
        account_id: record.key.account_id.clone(),
        region: record.key.region.clone(),
        resource_id: record.key.resource_id.clone(),
        resource_arn: record.key.resource_arn.clone(),
    }
}

fn changed(record: &FindingRecord, scan: &ScanHeader, resolution: Option<&str>) -> ChangedFinding {
    let failing_since = record.failing_since.clone();
    ChangedFinding {
        account_id: record.key.account_id.clone(),
        region: record.key.region.clone(),
        check_id: record.key.check_id.clone(),
        resource_id: record.key.resource_id.clone(),
        resource_arn: record.key.resource_arn.clone(),
        severity: record.severity,
        status: record.status,
        muted: record.muted,
        message: record.message.clone(),
        age_days: failing_since.as_deref().and_then(|since| age_in_days(since, &scan.started_at)),
        failing_since,
        resolution: resolution.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::FindingKey;
    use crate::severity::Severity;

    fn header(id: i64, checks: &[&str], regions: &[&str]) -> ScanHeader {
        ScanHeader {
            id: Some(id),
            label: format!("scan {id}"),
            started_at: format!("2026-11-{:02}T00:00:00Z", id),
            finished_at: String::new(),
            principal_arn: String::new(),
            tool_version: String::new(),
            accounts: vec!["111111111111".to_owned()],
            regions: regions.iter().map(|r| r.to_string()).collect(),
            checks: checks.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn record(check: &str, region: &str, resource: &str, status: Status) -> FindingRecord {
        FindingRecord {
            key: FindingKey {
                account_id: "111111111111".to_owned(),
                region: region.to_owned(),
                check_id: check.to_owned(),
                resource_id: resource.to_owned(),
                resource_arn: format!("arn:aws:x:{region}:111111111111:{resource}"),
            },
            status,
            severity: Severity::High,
            muted: false,
            message: String::new(),
            failing_since: (status == Status::Fail).then(|| "2026-11-01T00:00:00Z".to_owned()),
        }
    }

    fn ids(list: &[ChangedFinding]) -> Vec<&str> {
        list.iter().map(|entry| entry.resource_id.as_str()).collect()
    }

    #[test]
    fn each_kind_of_change_lands_in_its_list() {
        use Status::*;
        let base = Snapshot {
            header: header(1, &["a"], &["eu-west-1"]),
            findings: vec![
                record("a", "eu-west-1", "fixed", Fail),
                record("a", "eu-west-1", "broken", Pass),
                record("a", "eu-west-1", "old", Fail),
                record("a", "eu-west-1", "deleted", Fail),
                record("a", "eu-west-1", "flaky", Error),
                record("a", "eu-west-1", "unknown-now", Fail),
            ],
        };
        let new = Snapshot {
            header: header(3, &["a"], &["eu-west-1"]),
            findings: vec![
                record("a", "eu-west-1", "fixed", Pass),
                record("a", "eu-west-1", "broken", Fail),
                record("a", "eu-west-1", "old", Fail),
                record("a", "eu-west-1", "added", Fail),
                record("a", "eu-west-1", "flaky", Pass),
                record("a", "eu-west-1", "unknown-now", Error),
            ],
        };
        let changes = compare(&base, &new);
        assert_eq!(ids(&changes.new_failures), ["added", "broken"]);
        assert_eq!(ids(&changes.resolved_failures), ["deleted", "fixed"]);
        assert_eq!(changes.resolved_failures[0].resolution.as_deref(), Some("resource no longer exists"));
        assert_eq!(ids(&changes.still_failing), ["old"]);
        assert_eq!(changes.still_failing[0].age_days, Some(2));
        assert_eq!(ids(&changes.new_errors), ["unknown-now"]);
        assert_eq!(ids(&changes.resolved_errors), ["flaky"]);
        let appeared: Vec<_> = changes.resources_appeared.iter().map(|r| r.resource_id.as_str()).collect();
        let gone: Vec<_> = changes.resources_disappeared.iter().map(|r| r.resource_id.as_str()).collect();
        assert_eq!((appeared, gone), (vec!["added"], vec!["deleted"]));
    }

    #[test]
    fn a_check_or_region_only_one_scan_ran_is_not_compared() {
        let base = Snapshot {
            header: header(1, &["a", "gone"], &["eu-west-1"]),
            findings: vec![record("gone", "eu-west-1", "r", Status::Fail)],
        };
        let new = Snapshot {
            header: header(2, &["a", "new"], &["eu-west-1", "us-east-1"]),
            findings: vec![record("new", "eu-west-1", "r", Status::Fail), record("a", "us-east-1", "r", Status::Fail)],
        };
        let changes = compare(&base, &new);
        assert!(changes.new_failures.is_empty() && changes.resolved_failures.is_empty(), "{changes:?}");
        assert!(changes.resources_appeared.is_empty() && changes.resources_disappeared.is_empty());
        assert_eq!((changes.checks_added, changes.checks_removed), (vec!["new".to_owned()], vec!["gone".to_owned()]));
        assert_eq!(changes.regions_added, ["us-east-1"]);
    }
}
