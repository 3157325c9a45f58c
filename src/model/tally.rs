//! Counts over a report's findings, made once as the findings stream past
//! (a scan's pipeline, `merge`) and carried by the report, so that no
//! renderer walks the findings to count them again.

use std::collections::{BTreeMap, BTreeSet};

use super::ReportFinding;
use crate::severity::Status;

/// Findings by status, muted ones apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub pass: u64,
    pub fail: u64,
    pub error: u64,
    pub muted_pass: u64,
    pub muted_fail: u64,
    pub muted_error: u64,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status, muted: bool) {
        let count = match (muted, status) {
            (false, Status::Pass) => &mut self.pass,
            (false, Status::Fail) => &mut self.fail,
            (false, Status::Error) => &mut self.error,
            (true, Status::Pass) => &mut self.muted_pass,
            (true, Status::Fail) => &mut self.muted_fail,
            (true, Status::Error) => &mut self.muted_error,
        };
        *count += 1;
    }

    pub fn absorb(&mut self, other: &StatusCounts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.error += other.error;
        self.muted_pass += other.muted_pass;
        self.muted_fail += other.muted_fail;
        self.muted_error += other.muted_error;
    }

    pub fn muted(&self) -> u64 {
        self.muted_pass + self.muted_fail + self.muted_error
    }

    pub fn findings(&self) -> u64 {
        self.pass + self.fail + self.error + self.muted()
    }

    /// A status whatever the mute: what the scan store records of a scan.
    pub fn of_status(&self, status: Status) -> u64 {
        match status {
            Status::Pass => self.pass + self.muted_pass,
            Status::Fail => self.fail + self.muted_fail,
            Status::Error => self.error + self.muted_error,
        }
    }

    /// A group's status: `FAIL` when any finding is an unmuted FAIL; else
    /// `ERROR` when any is an ERROR (muted or not: the data is missing
    /// whatever the risk decision); else `PASS` when there is any finding
    /// (muted FAILs included: the risk is accepted); else `NOT_ASSESSED`.
    pub fn status(&self) -> &'static str {
        if self.fail > 0 {
            "FAIL"
        } else if self.error + self.muted_error > 0 {
            "ERROR"
        } else if self.findings() > 0 {
            "PASS"
        } else {
            "NOT_ASSESSED"
        }
    }
}

/// A compliance control's findings: those whose `compliance` names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlTally {
    pub counts: StatusCounts,
    /// The accounts with a finding for the control.
    pub accounts: BTreeSet<String>,
}

/// The report's counts. Every map is keyed by what it counts over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: StatusCounts,
    pub by_check: BTreeMap<String, StatusCounts>,
    pub by_region: BTreeMap<String, StatusCounts>,
    pub by_account: BTreeMap<String, StatusCounts>,
    /// `(framework id, control id)`.
    pub by_control: BTreeMap<(String, String), ControlTally>,
    /// Each account's unmuted FAILs by severity, indexed by `Severity as usize`.
    pub fail_by_account_severity: BTreeMap<String, [u64; 5]>,
}

impl Tally {
    pub fn add(&mut self, finding: &ReportFinding) {
        let (status, muted) = (finding.status, finding.muted);
        self.total.add(status, muted);
        counts_of(&mut self.by_check, &finding.check_id).add(status, muted);
        counts_of(&mut self.by_region, &finding.region).add(status, muted);
        counts_of(&mut self.by_account, &finding.account_id).add(status, muted);
        if status == Status::Fail && !muted {
            if !self.fail_by_account_severity.contains_key(&finding.account_id) {
                self.fail_by_account_severity.insert(finding.account_id.clone(), [0; 5]);
            }
            self.fail_by_account_severity.get_mut(&finding.account_id).expect("inserted above")
                [finding.severity as usize] += 1;
        }
        for (framework, controls) in &finding.compliance {
            for control in controls {
                let key = (framework.clone(), control.clone());
                let tally = self.by_control.entry(key).or_default();
                tally.counts.add(status, muted);
                if !tally.accounts.contains(&finding.account_id) {
                    tally.accounts.insert(finding.account_id.clone());
                }
            }
        }
    }

    /// A control's counts; zero when no finding names it.
    pub fn control(&self, framework: &str, control: &str) -> ControlTally {
        self.by_control.get(&(framework.to_owned(), control.to_owned())).cloned().unwrap_or_default()
    }

    /// A check's counts; zero when it has no finding.
    pub fn check(&self, check_id: &str) -> StatusCounts {
        self.by_check.get(check_id).copied().unwrap_or_default()
    }
}

/// The entry for `key`, allocating its key only the first time.
fn counts_of<'a>(map: &'a mut BTreeMap<String, StatusCounts>, key: &str) -> &'a mut StatusCounts {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), StatusCounts::default());
    }
    map.get_mut(key).expect("inserted above")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::Severity;

    fn finding(check: &str, account: &str, status: Status, muted: bool) -> ReportFinding {
        ReportFinding {
            check_id: check.into(),
            title: "t".into(),
            severity: Severity::High,
            status,
            muted,
            mute_reason: None,
            account_id: account.into(),
            region: "eu-west-1".into(),
            service: "ec2".into(),
            resource_type: "AwsEc2SecurityGroup".into(),
            resource_id: "sg-1".into(),
            resource_arn: "arn".into(),
            message: String::new(),
            compliance: [("cis".to_owned(), vec!["5.1".to_owned(), "5.2".to_owned()])].into(),
            resource_name: String::new(),
            resource_tags: Default::default(),
            resource_details: String::new(),
            failing_since: None,
        }
    }

    #[test]
    fn counts_by_status_mute_check_region_account_and_control() {
        let mut tally = Tally::default();
        tally.add(&finding("a", "111", Status::Fail, false));
        tally.add(&finding("a", "222", Status::Fail, true));
        tally.add(&finding("b", "111", Status::Error, true));
        tally.add(&finding("b", "111", Status::Pass, false));
        assert_eq!((tally.total.fail, tally.total.muted(), tally.total.findings()), (1, 2, 4));
        assert_eq!(tally.total.of_status(Status::Fail), 2, "the store counts a status whatever the mute");
        assert_eq!(tally.check("a").fail, 1);
        assert_eq!(tally.check("b").muted_error, 1);
        assert_eq!(tally.check("missing"), StatusCounts::default());
        assert_eq!(tally.by_account["111"].findings(), 3);
        assert_eq!(tally.by_region["eu-west-1"].findings(), 4);
        assert_eq!(tally.fail_by_account_severity["111"][Severity::High as usize], 1, "unmuted FAILs only");
        assert!(!tally.fail_by_account_severity.contains_key("222"));
        let control = tally.control("cis", "5.2");
        assert_eq!(control.counts.findings(), 4);
        assert_eq!(control.accounts.iter().collect::<Vec<_>>(), ["111", "222"]);
        assert_eq!(tally.control("cis", "9.9"), ControlTally::default());
    }

    #[test]
    fn a_group_is_fail_error_pass_or_not_assessed() {
        let counts = |pass, fail, error, muted_fail, muted_error| StatusCounts {
            pass,
            fail,
            error,
            muted_pass: 0,
            muted_fail,
            muted_error,
        };
        assert_eq!(counts(3, 1, 1, 0, 0).status(), "FAIL");
        assert_eq!(counts(3, 0, 1, 0, 0).status(), "ERROR");
        assert_eq!(counts(3, 0, 0, 0, 1).status(), "ERROR", "a muted ERROR is still missing data");
        assert_eq!(counts(0, 0, 0, 1, 0).status(), "PASS", "a muted FAIL is accepted risk");
        assert_eq!(counts(0, 0, 0, 0, 0).status(), "NOT_ASSESSED");
    }
}
