//! Dates each FAIL from history and records every finding in the scan
//! store, one transaction per account. A store that fails stops the
//! recording, not the scan: the problem is reported once the reports are
//! written.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{AccountScope, Judged, Sink};
use crate::history::FindingKey;
use crate::history::{self, FindingRecord, FindingsBatch, PreviousState, Store, StoreError};

#[derive(Debug)]
pub struct Recorder {
    state: State,
    /// The run of FAILs a finding continues, as the store remembers this
    /// account's findings.
    previous: HashMap<FindingKey, PreviousState>,
    /// When this scan started: the date of a FAIL that begins now.
    started_at: String,
    problem: Option<StoreError>,
    path: PathBuf,
}

#[derive(Debug)]
enum State {
    /// Recording: the store and this scan's id in it.
    Ready(Store, i64),
    /// Inside an account's transaction.
    InAccount(FindingsBatch, i64),
    /// `--no-store`, or the store failed.
    Off,
}

/// What the recording left: the store to complete the scan in, or why not.
#[derive(Debug)]
pub struct Recorded {
    pub store: Option<(Store, i64)>,
    pub problem: Option<StoreError>,
    pub path: PathBuf,
}

impl Recorder {
    /// `store`: the store with this scan begun in it, if it is recorded;
    /// `problem`: why it is not, when it should have been.
    pub fn new(
        store: Option<(Store, i64)>,
        problem: Option<StoreError>,
        path: PathBuf,
        started_at: String,
    ) -> Recorder {
        let state = match store {
            Some((store, id)) => State::Ready(store, id),
            None => State::Off,
        };
        Recorder { state, previous: HashMap::new(), started_at, problem, path }
    }

    /// Stops recording after a store error; the reports are still written.
    pub fn fail(&mut self, err: StoreError) {
        self.problem.get_or_insert(err);
        // Dropping an account's batch rolls its rows back.
        self.state = State::Off;
    }

    pub fn finish(self) -> Recorded {
        let store = match self.state {
            State::Ready(store, id) => Some((store, id)),
            State::InAccount(..) | State::Off => None,
        };
        Recorded { store, problem: self.problem, path: self.path }
    }

    fn record(&mut self, record: &FindingRecord, detail: &str) {
        if let State::InAccount(batch, _) = &mut self.state
            && let Err(err) = batch.add(record, Some(detail))
        {
            self.fail(err);
        }
    }
}

impl Sink for Recorder {
    fn begin_account(&mut self, account: &AccountScope<'_>) -> anyhow::Result<()> {
        self.previous.clear();
        let State::Ready(store, id) = std::mem::replace(&mut self.state, State::Off) else {
            return Ok(());
        };
        let begun = store.previous_states(account.account_id, id).and_then(|previous| Ok((previous, store.batch(id)?)));
        match begun {
            Ok((previous, batch)) => {
                self.previous = previous;
                self.state = State::InAccount(batch, id);
            }
            Err(err) => self.fail(err),
        }
        Ok(())
    }

    fn finding(&mut self, account: &AccountScope<'_>, judged: &mut Judged) -> anyhow::Result<()> {
        let finding = &mut judged.finding;
        // The store reaches further back than a baseline report.
        let previous = self
            .previous
            .get(&judged.key)
            .or_else(|| account.baseline.and_then(|baseline| baseline.states.get(&judged.key)));
        finding.failing_since = history::failing_since(finding.status, previous, &self.started_at);
        if matches!(self.state, State::InAccount(..)) {
            let record = FindingRecord::of(&judged.key, finding);
            self.record(&record, &history::FindingDetail::json_of(finding));
        }
        Ok(())
    }

    fn end_account(&mut self, _: &AccountScope<'_>) -> anyhow::Result<()> {
        if let State::InAccount(batch, id) = std::mem::replace(&mut self.state, State::Off) {
            match batch.commit() {
                Ok(store) => self.state = State::Ready(store, id),
                Err(err) => self.fail(err),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::ScanHeader;
    use crate::pipeline::testing::{finding, scope};
    use crate::severity::Status;

    fn header(started_at: &str) -> ScanHeader {
        ScanHeader {
            id: None,
            label: "this scan".into(),
            started_at: started_at.into(),
            finished_at: String::new(),
            principal_arn: "arn".into(),
            tool_version: "0".into(),
            accounts: vec!["111111111111".into()],
            regions: vec!["eu-west-1".into()],
            checks: vec!["c".into()],
        }
    }

    /// Runs one account's findings through a recorder on `store`.
    fn record(store: Store, started_at: &str, findings: Vec<Judged>) -> (Vec<Judged>, Recorded) {
        let mut store = store;
        let id = store.begin(&header(started_at), &serde_json::json!({})).unwrap();
        let path = store.path().to_owned();
        let mut recorder = Recorder::new(Some((store, id)), None, path, started_at.into());
        let scope = scope(None);
        recorder.begin_account(&scope).unwrap();
        let mut out = Vec::new();
        for mut judged in findings {
            recorder.finding(&scope, &mut judged).unwrap();
            out.push(judged);
        }
        recorder.end_account(&scope).unwrap();
        let mut recorded = recorder.finish();
        let (store, id) = recorded.store.as_mut().unwrap();
        store.complete(*id, started_at, &serde_json::json!({})).unwrap();
        (out, recorded)
    }

    #[test]
    fn a_fail_keeps_the_date_its_run_began_across_scans() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_or_create(&dir.path().join("s.db")).unwrap();
        let (first, recorded) = record(store, "2026-11-01T00:00:00Z", vec![finding("c", "sg-1", Status::Fail)]);
        assert_eq!(first[0].finding.failing_since.as_deref(), Some("2026-11-01T00:00:00Z"));
        let (store, _) = recorded.store.unwrap();
        let (second, recorded) = record(
            store,
            "2026-11-02T00:00:00Z",
            vec![finding("c", "sg-1", Status::Fail), finding("c", "sg-2", Status::Fail)],
        );
        assert_eq!(second[0].finding.failing_since.as_deref(), Some("2026-11-01T00:00:00Z"), "still failing");
        assert_eq!(second[1].finding.failing_since.as_deref(), Some("2026-11-02T00:00:00Z"), "new");
        let (store, id) = recorded.store.unwrap();
        assert_eq!(store.snapshot(id).unwrap().findings.len(), 2, "both recorded");
    }

    #[test]
    fn without_a_store_fails_are_dated_from_now_and_nothing_is_recorded() {
        let mut recorder = Recorder::new(None, None, "s.db".into(), "2026-11-01T00:00:00Z".into());
        let scope = scope(None);
        recorder.begin_account(&scope).unwrap();
        let mut judged = finding("c", "sg-1", Status::Fail);
        recorder.finding(&scope, &mut judged).unwrap();
        recorder.end_account(&scope).unwrap();
        assert_eq!(judged.finding.failing_since.as_deref(), Some("2026-11-01T00:00:00Z"));
        let recorded = recorder.finish();
        assert!(recorded.store.is_none() && recorded.problem.is_none());
    }

    #[test]
    fn a_store_that_fails_stops_recording_and_keeps_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(&dir.path().join("s.db")).unwrap();
        let id = store.begin(&header("2026-11-01T00:00:00Z"), &serde_json::json!({})).unwrap();
        let mut recorder = Recorder::new(Some((store, id)), None, "s.db".into(), "2026-11-01T00:00:00Z".into());
        let missing = StoreError::Missing { path: "s.db".into() };
        recorder.fail(missing);
        let scope = scope(None);
        recorder.begin_account(&scope).unwrap();
        recorder.finding(&scope, &mut finding("c", "sg-1", Status::Fail)).unwrap();
        let recorded = recorder.finish();
        assert!(recorded.store.is_none());
        assert!(matches!(recorded.problem, Some(StoreError::Missing { .. })));
    }
}
