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
        let mut verdict = Verdict::default();
        if collection_failed {
            verdict.collection_failed();
        }
        for (index, finding) in findings.iter().enumerate() {
            verdict.add(finding.status, finding.muted, severity(&finding.check_id), exempt(index), gate);
        }
        verdict.outcome(gate)
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Failed => 3,
            Outcome::Incomplete => 4,
        }
    }
}

/// The verdict built finding by finding, account by account, as a scan
/// streams them (or as `merge` reads the shards' findings).
#[derive(Debug, Clone, Copy, Default)]
pub struct Verdict {
    incomplete: bool,
    failed: bool,
}

impl Verdict {
    /// `exempt`: a FAIL that does not count (already failing in the
    /// baseline, under `--fail-on-new`).
    pub fn add(&mut self, status: Status, muted: bool, severity: Severity, exempt: bool, gate: Gate) {
        match status {
            Status::Error => self.incomplete = true,
            Status::Fail if !muted && severity >= gate.fail_on && !exempt => self.failed = true,
            _ => {}
        }
    }

    /// Some call failed, whether or not a finding shows it.
    pub fn collection_failed(&mut self) {
        self.incomplete = true;
    }

    pub fn outcome(self, gate: Gate) -> Outcome {
        if self.incomplete && !gate.allow_errors {
            Outcome::Incomplete
        } else if self.failed {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome.exit_code())
    }
}
