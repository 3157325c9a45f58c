//! Compliance CSVs: one file per framework, one row per control, with the
//! control's status in this scan, the checks behind it and the finding
//! counts (RFC 4180, as `csv.rs`).
//!
//! A control's findings are those whose `compliance` names it, the same
//! view the JSON report gives. Its status: `FAIL` when any is an unmuted
//! FAIL; else `ERROR` when any is an ERROR (muted or not: the data is
//! missing whatever the risk decision); else `PASS` when it has any finding
//! (muted FAILs included: the risk is accepted); else `NOT_ASSESSED`, when
//! none of its checks ran or they found no resource to judge.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use crate::model::{FrameworkInfo, Report};
use crate::severity::Status;

pub const HEADER: [&str; 14] = [
    "framework_id",
    "framework_name",
    "framework_version",
    "control_id",
    "control_title",
    "status",
    "checks",
    "checks_not_run",
    "findings",
    "pass",
    "fail",
    "error",
    "muted",
    "accounts",
];

/// Every framework's controls as the findings count them, in one pass over
/// the findings.
#[derive(Debug, Default)]
pub struct Tally {
    by_control: BTreeMap<(String, String), (ControlCounts, BTreeSet<String>)>,
}

impl Tally {
    pub fn of(report: &Report) -> anyhow::Result<Tally> {
        let mut tally = Tally::default();
        report.findings.each(|_, finding| {
            for (framework, controls) in &finding.compliance {
                for control in controls {
                    let (counts, accounts) = tally.by_control.entry((framework.clone(), control.clone())).or_default();
                    counts.add(finding.muted, finding.status);
                    if !accounts.contains(&finding.account_id) {
                        accounts.insert(finding.account_id.clone());
                    }
                }
            }
            Ok(())
        })?;
        Ok(tally)
    }

    pub fn counts(&self, framework: &str, control: &str) -> ControlCounts {
        self.by_control
            .get(&(framework.to_owned(), control.to_owned()))
            .map(|(counts, _)| counts.clone())
            .unwrap_or_default()
    }

    /// The accounts with a finding for the control, space-separated.
    fn accounts(&self, framework: &str, control: &str) -> String {
        self.by_control
            .get(&(framework.to_owned(), control.to_owned()))
            .map(|(_, accounts)| accounts.iter().map(String::as_str).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }
}

/// What the scan says about one control.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ControlCounts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub muted: usize,
    pub muted_errors: usize,
}

impl ControlCounts {
    pub fn findings(&self) -> usize {
        self.pass + self.fail + self.error + self.muted
    }

    fn add(&mut self, muted: bool, status: Status) {
        match (muted, status) {
            (true, Status::Error) => {
                self.muted += 1;
                self.muted_errors += 1;
            }
            (true, _) => self.muted += 1,
            (false, Status::Pass) => self.pass += 1,
            (false, Status::Fail) => self.fail += 1,
            (false, Status::Error) => self.error += 1,
        }
    }

    pub fn status(&self) -> &'static str {
        if self.fail > 0 {
            "FAIL"
        } else if self.error + self.muted_errors > 0 {
            "ERROR"
        } else if self.findings() > 0 {
            "PASS"
        } else {
            "NOT_ASSESSED"
        }
    }
}

/// Writes one framework's CSV.
pub fn write(report: &Report, tally: &Tally, framework: &FrameworkInfo, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    writer.write_record(HEADER)?;
    for control in &framework.controls {
        let counts = tally.counts(&framework.id, &control.id);
        let accounts = tally.accounts(&framework.id, &control.id);
        let not_run: Vec<&str> =
            control.checks.iter().filter(|check| !report.scan.checks.contains(check)).map(String::as_str).collect();
        writer.write_record([
            framework.id.as_str(),
            &framework.name,
            &framework.version,
            &control.id,
            &control.title,
            counts.status(),
            &control.checks.join(" "),
            &not_run.join(" "),
            &counts.findings().to_string(),
            &counts.pass.to_string(),
            &counts.fail.to_string(),
            &counts.error.to_string(),
            &counts.muted.to_string(),
            &accounts,
        ])?;
    }
    writer.flush()?;
    Ok(())
}
