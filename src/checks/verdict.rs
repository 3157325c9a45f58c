//! What a rule says about one resource: the one judgement every check gives.
//!
//! A verdict is PASS, FAIL or ERROR. ERROR is the `Err` side, so a rule reads
//! the inventory it needs with `?` ([`Read::read`])
//! and a piece that failed to collect can only ever become ERROR.

use std::fmt;

use crate::inventory::Collected;

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
