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

use std::io::Write;

use crate::model::{ControlTally, FrameworkInfo, Report};

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

/// Writes one framework's CSV.
pub fn write(report: &Report, framework: &FrameworkInfo, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut writer = super::csv::SafeWriter::new(out);
    writer.write_record(HEADER)?;
    for control in &framework.controls {
        let ControlTally { counts, accounts } = report.tally.control(&framework.id, &control.id);
        let accounts: Vec<&str> = accounts.iter().map(String::as_str).collect();
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
            &counts.muted().to_string(),
            &accounts.join(" "),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
