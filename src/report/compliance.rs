//! Compliance: where the scan stands against each framework, computed once
//! here for both the per-framework CSVs and the HTML report's compliance
//! section, so that the two cannot disagree.
//!
//! The CSVs: one file per framework, one row per control, with the
//! control's status in this scan, the checks behind it and the finding
//! counts (RFC 4180, as `csv.rs`).
//!
//! A control's findings are those whose `compliance` names it, the same
//! view the JSON report gives. Its status: `FAIL` when any is an unmuted
//! FAIL; else `ERROR` when any is an ERROR (muted or not: the data is
//! missing whatever the risk decision); else `PASS` when it has any finding
//! (muted FAILs included: the risk is accepted); else `NOT_ASSESSED`, when
//! none of its checks ran or they found no resource to judge.

use std::io::Write;

use crate::model::{ControlInfo, ControlTally, FrameworkInfo, Report, StatusCounts};
use crate::severity::Severity;

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

/// One control of a framework as this scan judged it.
#[derive(Debug, Clone)]
pub struct ControlStatus<'a> {
    pub control: &'a ControlInfo,
    /// `FAIL`, `ERROR`, `PASS` or `NOT_ASSESSED` (see the module's doc).
    pub status: &'static str,
    pub counts: StatusCounts,
    /// The accounts with a finding for the control.
    pub accounts: Vec<String>,
    /// The control's checks this scan did not run.
    pub not_run: Vec<&'a str>,
    /// The control's checks with an unmuted FAIL.
    pub failing_checks: Vec<&'a str>,
    /// The most severe of the failing checks' severities.
    pub worst_severity: Option<Severity>,
}

/// A framework's controls counted by status: the numbers at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameworkStatus {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_assessed: usize,
}

impl FrameworkStatus {
    pub fn of(controls: &[ControlStatus<'_>]) -> FrameworkStatus {
        let mut status = FrameworkStatus::default();
        for control in controls {
            match control.status {
                "FAIL" => status.fail += 1,
                "ERROR" => status.error += 1,
                "PASS" => status.pass += 1,
                _ => status.not_assessed += 1,
            }
        }
        status
    }

    pub fn controls(&self) -> usize {
        self.pass + self.fail + self.error + self.not_assessed
    }
}

/// Every control of `framework`, in the framework's order, with its status.
pub fn controls<'a>(report: &'a Report, framework: &'a FrameworkInfo) -> Vec<ControlStatus<'a>> {
    framework
        .controls
        .iter()
        .map(|control| {
            let ControlTally { counts, accounts } = report.tally.control(&framework.id, &control.id);
            let failing_checks: Vec<&str> =
                control.checks.iter().filter(|check| report.tally.check(check).fail > 0).map(String::as_str).collect();
            let worst_severity = failing_checks.iter().filter_map(|id| report.check(id)).map(|c| c.severity).max();
            ControlStatus {
                control,
                status: counts.status(),
                counts,
                accounts: accounts.into_iter().collect(),
                not_run: control
                    .checks
                    .iter()
                    .filter(|check| !report.scan.checks.contains(check))
                    .map(String::as_str)
                    .collect(),
                failing_checks,
                worst_severity,
            }
        })
        .collect()
}

/// Writes one framework's CSV.
pub fn write(report: &Report, framework: &FrameworkInfo, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut writer = super::csv::SafeWriter::new(out);
    writer.write_record(HEADER)?;
    for row in controls(report, framework) {
        let (control, counts) = (row.control, row.counts);
        writer.write_record([
            framework.id.as_str(),
            &framework.name,
            &framework.version,
            &control.id,
            &control.title,
            row.status,
            &control.checks.join(" "),
            &row.not_run.join(" "),
            &counts.findings().to_string(),
            &counts.pass.to_string(),
            &counts.fail.to_string(),
            &counts.error.to_string(),
            &counts.muted().to_string(),
            &row.accounts.join(" "),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
