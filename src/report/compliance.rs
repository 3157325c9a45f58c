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

use std::collections::BTreeSet;

use super::{ControlInfo, FrameworkInfo, Report};
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

/// `(framework id, CSV)` for every framework in the report.
pub fn render(report: &Report) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    report.frameworks.iter().map(|framework| Ok((framework.id.clone(), framework_csv(report, framework)?))).collect()
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

pub fn control_counts(report: &Report, framework: &str, control: &str) -> ControlCounts {
    let mut counts = ControlCounts::default();
    let counted = report.findings.iter().filter(|finding| {
        finding.compliance.get(framework).is_some_and(|controls| controls.iter().any(|id| id == control))
    });
    for finding in counted {
        match (finding.muted, finding.status) {
            (true, Status::Error) => {
                counts.muted += 1;
                counts.muted_errors += 1;
            }
            (true, _) => counts.muted += 1,
            (false, Status::Pass) => counts.pass += 1,
            (false, Status::Fail) => counts.fail += 1,
            (false, Status::Error) => counts.error += 1,
        }
    }
    counts
}

fn framework_csv(report: &Report, framework: &FrameworkInfo) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for control in &framework.controls {
        let counts = control_counts(report, &framework.id, &control.id);
        let accounts = accounts(report, &framework.id, control);
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
    writer.into_inner().map_err(|err| anyhow::anyhow!("flushing the compliance CSV: {err}"))
}

/// The accounts with a finding for the control, space-separated.
fn accounts(report: &Report, framework: &str, control: &ControlInfo) -> String {
    let accounts: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|finding| finding.compliance.get(framework).is_some_and(|ids| ids.contains(&control.id)))
        .map(|finding| finding.account_id.as_str())
        .collect();
    accounts.into_iter().collect::<Vec<_>>().join(" ")
}
