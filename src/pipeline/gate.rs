//! Judges the exit code from the findings as they pass
//! ([`crate::outcome::Verdict`]): under `--fail-on-new`, a FAIL the
//! baseline already had does not count.

use super::{AccountScope, Judged, Sink};
use crate::outcome::{Gate, Outcome, Verdict};
use crate::severity::Status;

#[derive(Debug)]
pub struct Gatekeeper {
    gate: Gate,
    /// `--fail-on-new`: FAILs already failing in the baseline are exempt.
    only_new: bool,
    verdict: Verdict,
    /// Unmuted FAILs that were already failing in the baseline.
    already_failing: usize,
}

/// The gate's judgement, and what the summary says about the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    pub outcome: Outcome,
    pub already_failing: usize,
}

impl Gatekeeper {
    pub fn new(gate: Gate, only_new: bool) -> Gatekeeper {
        Gatekeeper { gate, only_new, verdict: Verdict::default(), already_failing: 0 }
    }

    /// `collection_failed`: some call failed, whether or not a finding shows it.
    pub fn finish(mut self, collection_failed: bool) -> Judgement {
        if collection_failed {
            self.verdict.collection_failed();
        }
        Judgement { outcome: self.verdict.outcome(self.gate), already_failing: self.already_failing }
    }
}

impl Sink for Gatekeeper {
    fn finding(&mut self, account: &AccountScope<'_>, judged: &mut Judged) -> anyhow::Result<()> {
        let finding = &judged.finding;
        let already = account.baseline.is_some_and(|baseline| baseline.failing.contains(&judged.key));
        self.verdict.add(finding.status, finding.muted, finding.severity, self.only_new && already, self.gate);
        if finding.status == Status::Fail && !finding.muted && already {
            self.already_failing += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::{baseline, finding, scope};
    use crate::severity::Severity;

    const GATE: Gate = Gate { fail_on: Severity::High, allow_errors: false };

    #[test]
    fn a_fail_at_or_above_the_gate_fails_and_an_error_leaves_it_incomplete() {
        let mut gatekeeper = Gatekeeper::new(GATE, false);
        gatekeeper.finding(&scope(None), &mut finding("c", "sg-1", Status::Pass)).unwrap();
        assert_eq!(Gatekeeper::new(GATE, false).finish(false).outcome, Outcome::Passed);
        let mut failing = finding("c", "sg-1", Status::Fail);
        gatekeeper.finding(&scope(None), &mut failing).unwrap();
        assert_eq!(gatekeeper.finish(false).outcome, Outcome::Failed);
        let mut low = finding("c", "sg-1", Status::Fail);
        low.finding.severity = Severity::Low;
        let mut below = Gatekeeper::new(GATE, false);
        below.finding(&scope(None), &mut low).unwrap();
        assert_eq!(below.finish(false).outcome, Outcome::Passed);
        assert_eq!(Gatekeeper::new(GATE, false).finish(true).outcome, Outcome::Incomplete);
    }

    #[test]
    fn under_fail_on_new_only_new_fails_count() {
        let base = baseline(&[("sg-1", Status::Fail)]);
        let scope = scope(Some(&base));
        let mut only_new = Gatekeeper::new(GATE, true);
        only_new.finding(&scope, &mut finding("c", "sg-1", Status::Fail)).unwrap();
        assert_eq!(only_new.finish(false), Judgement { outcome: Outcome::Passed, already_failing: 1 });
        let mut any = Gatekeeper::new(GATE, false);
        any.finding(&scope, &mut finding("c", "sg-1", Status::Fail)).unwrap();
        assert_eq!(any.finish(false), Judgement { outcome: Outcome::Failed, already_failing: 1 });
    }
}
