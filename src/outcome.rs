//! The filter stage's verdict on the filtered findings, and the exit code it
//! maps to (Prowler-compatible: 3 for failing findings).

use std::process::ExitCode;

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

    /// A FAIL that passes the gate is certain, whatever else could not be
    /// read: it wins over an incomplete scan, so that a pipeline failing
    /// on exit 3 is never told "incomplete" instead.
    pub fn outcome(self, gate: Gate) -> Outcome {
        if self.failed {
            Outcome::Failed
        } else if self.incomplete && !gate.allow_errors {
            Outcome::Incomplete
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

#[cfg(test)]
mod tests {
    use super::*;

    const GATE: Gate = Gate { fail_on: Severity::Critical, allow_errors: false };

    fn outcome(findings: &[(Status, Severity)], collection_failed: bool, gate: Gate) -> Outcome {
        let mut verdict = Verdict::default();
        if collection_failed {
            verdict.collection_failed();
        }
        for &(status, severity) in findings {
            verdict.add(status, false, severity, false, gate);
        }
        verdict.outcome(gate)
    }

    #[test]
    fn a_failure_at_the_gate_wins_over_an_incomplete_scan() {
        let critical_and_error = [(Status::Fail, Severity::Critical), (Status::Error, Severity::Low)];
        assert_eq!(outcome(&critical_and_error, false, GATE), Outcome::Failed);
        assert_eq!(outcome(&[(Status::Fail, Severity::Critical)], true, GATE), Outcome::Failed);
        let below_gate_and_error = [(Status::Fail, Severity::High), (Status::Error, Severity::Low)];
        assert_eq!(outcome(&below_gate_and_error, false, GATE), Outcome::Incomplete);
        let allowed = Gate { allow_errors: true, ..GATE };
        assert_eq!(outcome(&below_gate_and_error, true, allowed), Outcome::Passed);
        assert_eq!(outcome(&[(Status::Pass, Severity::Low)], false, GATE), Outcome::Passed);
    }
}
