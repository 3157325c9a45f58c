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

/// What the gate reads of one finding, wherever the finding comes from
/// (this scan's evaluation, or the shard reports `merge` joins).
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub status: Status,
    pub muted: bool,
    pub severity: Severity,
    /// A FAIL that does not count (already failing in the baseline, under `--fail-on-new`).
    pub exempt: bool,
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
        let verdicts = findings.iter().enumerate().map(|(index, finding)| Verdict {
            status: finding.status,
            muted: finding.muted,
            severity: severity(&finding.check_id),
            exempt: exempt(index),
        });
        Outcome::judge_verdicts(verdicts, collection_failed, gate)
    }

    pub fn judge_verdicts(verdicts: impl IntoIterator<Item = Verdict>, collection_failed: bool, gate: Gate) -> Outcome {
        let mut incomplete = collection_failed;
        let mut failed = false;
        for verdict in verdicts {
            incomplete |= verdict.status == Status::Error;
            failed |=
                verdict.status == Status::Fail && !verdict.muted && verdict.severity >= gate.fail_on && !verdict.exempt;
        }
        if incomplete && !gate.allow_errors {
            Outcome::Incomplete
        } else if failed {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
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
