//! Compares each account with the same account of the baseline, as soon
//! as its findings have passed, and adds the account's changes to the
//! scan's. Only this account's records are held, and only while a
//! baseline is compared.

use super::{AccountScope, Judged, Sink};
use crate::history::{self, FindingRecord, ScanHeader, Snapshot};
use crate::model::Changes;

#[derive(Debug)]
pub struct Comparison {
    /// The scan's changes so far; `None` without a baseline, or once the
    /// baseline could not be read.
    changes: Option<Changes>,
    /// This scan's header, as the comparison names it.
    header: ScanHeader,
    /// The account's records, while a baseline is compared.
    records: Vec<FindingRecord>,
}

impl Comparison {
    pub fn new(baseline: Option<&ScanHeader>, header: &ScanHeader) -> Comparison {
        let empty = |header: &ScanHeader| Snapshot { header: header.clone(), findings: Vec::new() };
        // Two empty scans compare to what the headers alone say: the
        // accounts, regions and checks added and removed.
        let changes = baseline.map(|baseline| history::compare(&empty(baseline), &empty(header)));
        Comparison { changes, header: header.clone(), records: Vec::new() }
    }

    /// Without the baseline's findings nothing of this scan can be called
    /// new or old: the comparison stops, the scan goes on.
    pub fn abandon(&mut self) {
        self.changes = None;
        self.records = Vec::new();
    }

    /// The changes in the order every view shows them.
    pub fn finish(self) -> Option<Changes> {
        self.changes.map(|mut changes| {
            history::order(&mut changes);
            changes
        })
    }
}

impl Sink for Comparison {
    fn begin_account(&mut self, _: &AccountScope<'_>) -> anyhow::Result<()> {
        self.records.clear();
        Ok(())
    }

    fn finding(&mut self, account: &AccountScope<'_>, judged: &mut Judged) -> anyhow::Result<()> {
        if self.changes.is_some() && account.baseline.is_some() {
            self.records.push(FindingRecord::of(&judged.key, &judged.finding));
        }
        Ok(())
    }

    fn end_account(&mut self, account: &AccountScope<'_>) -> anyhow::Result<()> {
        if let (Some(total), Some(baseline)) = (self.changes.as_mut(), account.baseline) {
            let new = Snapshot { header: self.header.clone(), findings: std::mem::take(&mut self.records) };
            history::absorb(total, history::compare(&baseline.snapshot, &new));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::AccountBaseline;
    use crate::pipeline::testing::{baseline, finding, header, scope};
    use crate::severity::Status;

    #[test]
    fn each_account_is_compared_with_its_own_baseline() {
        let base = baseline(&[("sg-1", Status::Fail), ("sg-2", Status::Fail)]);
        let mut comparison = Comparison::new(Some(&base.snapshot.header), &header());
        let scope = scope(Some(&base));
        comparison.begin_account(&scope).unwrap();
        comparison.finding(&scope, &mut finding("c", "sg-1", Status::Pass)).unwrap();
        comparison.finding(&scope, &mut finding("c", "sg-2", Status::Fail)).unwrap();
        comparison.finding(&scope, &mut finding("c", "sg-3", Status::Fail)).unwrap();
        comparison.end_account(&scope).unwrap();
        let changes = comparison.finish().unwrap();
        let ids = |list: &[crate::model::ChangedFinding]| -> Vec<String> {
            list.iter().map(|entry| entry.resource_id.clone()).collect()
        };
        assert_eq!(ids(&changes.resolved_failures), ["sg-1"]);
        assert_eq!(ids(&changes.still_failing), ["sg-2"]);
        assert_eq!(ids(&changes.new_failures), ["sg-3"]);
    }

    #[test]
    fn no_baseline_or_an_abandoned_one_gives_no_changes() {
        assert!(Comparison::new(None, &header()).finish().is_none());
        let base: AccountBaseline = baseline(&[("sg-1", Status::Fail)]);
        let mut comparison = Comparison::new(Some(&base.snapshot.header), &header());
        comparison.abandon();
        let scope = scope(Some(&base));
        comparison.begin_account(&scope).unwrap();
        comparison.finding(&scope, &mut finding("c", "sg-1", Status::Pass)).unwrap();
        comparison.end_account(&scope).unwrap();
        assert!(comparison.finish().is_none());
    }
}
