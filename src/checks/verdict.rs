//! What a rule says about one resource: the one judgement every check gives.
//!
//! A verdict is PASS, FAIL or ERROR. ERROR is the `Err` side, so a rule reads
//! the inventory it needs with `?` ([`Read::read`])
//! and a piece that failed to collect can only ever become ERROR.

use std::fmt;

use crate::inventory::Collected;
use crate::severity::Status;

/// PASS or FAIL with its message, or no finding at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    Pass(String),
    Fail(String),
    /// The resource is outside what the check is about (a security group
    /// that is not a VPC's default, an EC2 service for a Fargate check).
    NotApplicable,
}

/// Why a rule could not judge a resource: its finding is ERROR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown(pub String);

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A rule's verdict on one resource: `Ok` PASS / FAIL / not applicable,
/// `Err` ERROR.
pub type Verdict = Result<Judgement, Unknown>;

pub fn pass(message: impl Into<String>) -> Verdict {
    Ok(Judgement::Pass(message.into()))
}

pub fn fail(message: impl Into<String>) -> Verdict {
    Ok(Judgement::Fail(message.into()))
}

pub fn unknown(message: impl Into<String>) -> Verdict {
    Err(Unknown(message.into()))
}

/// Rewrites the message of every outcome: how walkers add the subject
/// (`Security group sg-1 (web) ...`) that all checks of a kind share.
pub fn reword(verdict: Verdict, judged: impl Fn(String) -> String, unknown: impl Fn(String) -> String) -> Verdict {
    match verdict {
        Ok(Judgement::Pass(message)) => Ok(Judgement::Pass(judged(message))),
        Ok(Judgement::Fail(message)) => Ok(Judgement::Fail(judged(message))),
        Ok(Judgement::NotApplicable) => Ok(Judgement::NotApplicable),
        Err(Unknown(message)) => Err(Unknown(unknown(message))),
    }
}

/// The verdicts on the parts of one resource (the containers of a task
/// definition, the trails over a region), sorted by outcome: each list keeps
/// its parts' messages in their order. A part that is not applicable counts
/// for nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    pub passed: Vec<String>,
    pub failed: Vec<String>,
    pub unknown: Vec<String>,
}

impl Parts {
    /// Every part must pass: FAIL when any part fails, else ERROR when any
    /// could not be judged, else PASS (a resource with no parts passes).
    pub fn every(&self) -> Status {
        if !self.failed.is_empty() {
            Status::Fail
        } else if !self.unknown.is_empty() {
            Status::Error
        } else {
            Status::Pass
        }
    }

    /// One part passing is enough: PASS when any part passes, else ERROR
    /// when any could not be judged, else FAIL (a resource with no parts
    /// fails).
    pub fn any(&self) -> Status {
        if !self.passed.is_empty() {
            Status::Pass
        } else if !self.unknown.is_empty() {
            Status::Error
        } else {
            Status::Fail
        }
    }
}

impl FromIterator<Verdict> for Parts {
    fn from_iter<I: IntoIterator<Item = Verdict>>(verdicts: I) -> Self {
        let mut parts = Parts::default();
        for verdict in verdicts {
            match verdict {
                Ok(Judgement::Pass(message)) => parts.passed.push(message),
                Ok(Judgement::Fail(message)) => parts.failed.push(message),
                Ok(Judgement::NotApplicable) => {}
                Err(Unknown(message)) => parts.unknown.push(message),
            }
        }
        parts
    }
}

/// How a rule reads a piece of inventory inside its resource.
pub trait Read<T> {
    /// The data, or the ERROR "Could not read WHAT: why".
    fn read(&self, what: impl fmt::Display) -> Result<&T, Unknown>;
}

impl<T> Read<T> for Collected<T> {
    fn read(&self, what: impl fmt::Display) -> Result<&T, Unknown> {
        self.get().map_err(|why| Unknown(format!("Could not read {what}: {why}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(verdicts: Vec<Verdict>) -> Parts {
        verdicts.into_iter().collect()
    }

    #[test]
    fn parts_keep_each_outcome_s_messages_in_order_and_drop_the_not_applicable() {
        let sorted =
            parts(vec![pass("a"), fail("b"), unknown("c"), Ok(Judgement::NotApplicable), fail("d"), pass("e")]);
        assert_eq!(sorted.passed, ["a", "e"]);
        assert_eq!(sorted.failed, ["b", "d"]);
        assert_eq!(sorted.unknown, ["c"]);
    }

    #[test]
    fn every_part_must_pass_a_failure_outweighs_an_unknown() {
        assert_eq!(parts(vec![pass("a"), unknown("b"), fail("c")]).every(), Status::Fail);
        assert_eq!(parts(vec![pass("a"), unknown("b")]).every(), Status::Error);
        assert_eq!(parts(vec![pass("a"), Ok(Judgement::NotApplicable)]).every(), Status::Pass);
        assert_eq!(parts(vec![]).every(), Status::Pass);
    }

    #[test]
    fn one_passing_part_is_enough_an_unknown_outweighs_a_failure() {
        assert_eq!(parts(vec![fail("a"), unknown("b"), pass("c")]).any(), Status::Pass);
        assert_eq!(parts(vec![fail("a"), unknown("b")]).any(), Status::Error);
        assert_eq!(parts(vec![fail("a"), Ok(Judgement::NotApplicable)]).any(), Status::Fail);
        assert_eq!(parts(vec![]).any(), Status::Fail);
    }
}
