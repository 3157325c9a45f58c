//! The filter stage's verdict on the filtered findings, and the exit code it
//! maps to (Prowler-compatible: 3 for failing findings).

use std::process::ExitCode;

use crate::checks::Finding;
use crate::severity::{Severity, Status};

#[derive(Debug, Clone, Copy)]
pub struct Gate {
    /// The lowest severity of an unmuted FAIL that fails the scan.
    pub fail_on: Severity,
    /// Whether collection errors may pass the gate.
    pub allow_errors: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No unmuted FAIL at or above the gate, and the scan is complete.
    Passed,
    /// An unmuted FAIL at or above the gate.
    Failed,
    /// Some data could not be collected, so some verdicts are ERROR.
    Incomplete,
}

impl Outcome {
    /// `collection_failed`: some call failed, whether or not a finding shows
    /// it; `severity` gives a check's severity by id; `exempt` says, by
    /// index, which FAILs do not count (already failing in the baseline,
    /// under `--fail-on-new`).
    pub fn judge(
        findings: &[Finding],
        collection_failed: bool,
        severity: impl Fn(&str) -> Severity,
        gate: Gate,
        exempt: impl Fn(usize) -> bool,
    ) -> Outcome {
        let incomplete = collection_failed || findings.iter().any(|finding| finding.status == Status::Error);
        if incomplete && !gate.allow_errors {
            return Outcome::Incomplete;
        }
        let failed = findings.iter().enumerate().any(|(index, finding)| {
            finding.status == Status::Fail
                && !finding.muted
                && severity(&finding.check_id) >= gate.fail_on
                && !exempt(index)
        });
        if failed { Outcome::Failed } else { Outcome::Passed }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Failed => 3,
            Outcome::Incomplete => 4,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome.exit_code())
    }
}
