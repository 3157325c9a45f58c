//! Everything after collection, shared by `scan` and `evaluate`: each
//! account's inventory is evaluated as soon as it is complete, and its
//! findings stream, one at a time, through a chain of small consumers
//! ([`Sink`]), in this order:
//!
//! 1. [`mute::Mute`] marks what the mutelist accepts;
//! 2. [`recorder::Recorder`] dates each FAIL from history and records the
//!    finding in the scan store;
//! 3. [`comparison::Comparison`] compares the account with the baseline;
//! 4. [`gate::Gate`] judges the exit code;
//! 5. [`tally`] counts, for the report;
//! 6. [`spill::Spill`] writes the finding to the report's temporary file.
//!
//! [`Evaluator`] drives the chain; [`Evaluator::finish`] builds the report
//! from what the consumers made, and [`deliver`] writes it out. Memory
//! grows with the fleet only by account ids and names, collection errors
//! and the changes since the baseline, never by findings or inventories.

mod chain;
mod comparison;
mod delivery;
mod evaluator;
mod finish;
mod gate;
mod inputs;
mod memory;
mod mute;
mod recorder;
mod settings;
mod spill;
mod tally;

use std::collections::{HashMap, HashSet};

use crate::history::{FindingKey, PreviousState, Snapshot};
use crate::model::ReportFinding;

pub use delivery::{SinkSession, deliver_to_sinks};
pub use evaluator::{Carried, Collection, Evaluator, evaluate_whole, header};
pub use finish::{Finished, deliver};
pub use inputs::Inputs;
pub use memory::{Memory, Recording, RunRecord};
pub use settings::{Output, Settings, Sinks};

/// A consumer of findings: the contract every stage after collection
/// keeps. Findings arrive account by account, in report order within an
/// account; each consumer sees a finding after the ones before it in the
/// chain (which may have marked it muted or dated it).
pub trait Sink {
    /// Before the account's first finding.
    fn begin_account(&mut self, _account: &AccountScope<'_>) -> anyhow::Result<()> {
        Ok(())
    }

    fn finding(&mut self, account: &AccountScope<'_>, judged: &mut Judged) -> anyhow::Result<()>;

    /// After the account's last finding.
    fn end_account(&mut self, _account: &AccountScope<'_>) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A finding on its way through the chain, with its identity across scans.
#[derive(Debug)]
pub struct Judged {
    pub key: FindingKey,
    pub finding: ReportFinding,
}

impl Judged {
    pub fn new(finding: ReportFinding) -> Judged {
        let key = FindingKey {
            account_id: finding.account_id.clone(),
            region: finding.region.clone(),
            check_id: finding.check_id.clone(),
            resource_id: finding.resource_id.clone(),
            resource_arn: finding.resource_arn.clone(),
        };
        Judged { key, finding }
    }
}

/// What every consumer knows of the account whose findings pass.
#[derive(Debug)]
pub struct AccountScope<'a> {
    pub account_id: &'a str,
    /// The baseline's findings of this account, when a baseline is compared.
    pub baseline: Option<&'a AccountBaseline>,
}

/// One account of the baseline, read once for every consumer.
#[derive(Debug)]
pub struct AccountBaseline {
    pub snapshot: Snapshot,
    /// The keys that were FAIL (muted or not).
    pub failing: HashSet<FindingKey>,
    /// Each finding's state, for dating this scan's FAILs.
    pub states: HashMap<FindingKey, PreviousState>,
}

impl AccountBaseline {
    pub fn new(snapshot: Snapshot) -> AccountBaseline {
        let failing = snapshot.failing().into_iter().cloned().collect();
        let states = snapshot.previous_states();
        AccountBaseline { snapshot, failing, states }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Findings, scopes and baselines for the consumers' unit tests.

    use super::{AccountBaseline, AccountScope, Judged};
    use crate::history::{FindingRecord, ScanHeader, Snapshot};
    use crate::model::ReportFinding;
    use crate::severity::{Severity, Status};

    pub const ACCOUNT: &str = "111111111111";

    pub fn finding(check: &str, resource: &str, status: Status) -> Judged {
        Judged::new(ReportFinding {
            check_id: check.into(),
            title: "t".into(),
            severity: Severity::High,
            status,
            muted: false,
            mute_reason: None,
            account_id: ACCOUNT.into(),
            region: "eu-west-1".into(),
            service: "ec2".into(),
            resource_type: "AwsEc2SecurityGroup".into(),
            resource_id: resource.into(),
            resource_arn: format!("arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/{resource}"),
            message: "m".into(),
            compliance: Default::default(),
            resource_name: String::new(),
            resource_tags: Default::default(),
            resource_details: String::new(),
            failing_since: None,
        })
    }

    pub fn scope(baseline: Option<&AccountBaseline>) -> AccountScope<'_> {
        scope_of(ACCOUNT, baseline)
    }

    pub fn scope_of<'a>(account_id: &'a str, baseline: Option<&'a AccountBaseline>) -> AccountScope<'a> {
        AccountScope { account_id, baseline }
    }

    pub fn header() -> ScanHeader {
        ScanHeader {
            id: None,
            label: "this scan".into(),
            started_at: "2026-11-02T00:00:00Z".into(),
            finished_at: String::new(),
            principal_arn: "arn".into(),
            tool_version: "0".into(),
            accounts: vec![ACCOUNT.into()],
            regions: vec!["eu-west-1".into()],
            checks: vec!["c".into()],
        }
    }

    /// A baseline scan of check `c` with these resources' statuses.
    pub fn baseline(findings: &[(&str, Status)]) -> AccountBaseline {
        let header =
            ScanHeader { id: Some(1), label: "scan 1".into(), started_at: "2026-11-01T00:00:00Z".into(), ..header() };
        let findings = findings
            .iter()
            .map(|(resource, status)| {
                let judged = finding("c", resource, *status);
                FindingRecord::of(&judged.key, &judged.finding)
            })
            .collect();
        AccountBaseline::new(Snapshot { header, findings })
    }
}
