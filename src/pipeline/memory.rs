//! The scan store as this run uses it, and the baseline: opened before any
//! AWS call, so that a baseline that cannot be read stops the scan early.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;

use super::{AccountBaseline, Settings};
use crate::history::{self, Ended, ScanHeader, ScanRef, Snapshot, Store, StoreError};
use crate::usage::UsageError;

/// Whether findings are recorded in the store (a scan, by default) or only
/// compared with it (an offline evaluation, unless given `--store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    ByDefault,
    OnlyWithStore,
}

#[derive(Debug)]
pub struct Memory {
    /// Open for recording; `None` with `--no-store` or when it could not be opened.
    store: Option<Store>,
    /// Why the store could not be used: reported after the reports are written.
    problem: Option<StoreError>,
    baseline: Option<Baseline>,
    path: PathBuf,
    /// No store yet: it is created when the scan begins, so a scan that
    /// cannot start (no credentials, say) leaves no empty store behind.
    create_at_begin: bool,
    run: RunRecord,
}

/// Where this run's scan is recorded while it runs: for the one who must
/// end the record when the run is stopped from outside (a signal), after
/// the run itself is gone.
#[derive(Debug, Clone, Default)]
pub struct RunRecord(Arc<Mutex<Option<(PathBuf, i64)>>>);

impl RunRecord {
    fn set(&self, path: &Path, id: i64) {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((path.to_owned(), id));
    }

    /// The scan is ended (complete or failed): nothing is left to do.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    }

    /// Ends the scan as interrupted, if one is under way; returns the
    /// store it is recorded in.
    pub fn interrupted(&self, why: &str) -> Option<Result<PathBuf, StoreError>> {
        let (path, id) = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()?;
        let ended = Store::open_existing(&path)
            .and_then(|mut store| store.end(id, Ended::Interrupted, &Timestamp::now().to_string(), why));
        Some(ended.map(|()| path))
    }
}

/// The scan this one is compared with.
#[derive(Debug)]
pub enum Baseline {
    /// A stored scan, read account by account as accounts are evaluated,
    /// through a connection of its own.
    Stored { header: ScanHeader, store: Store },
    /// A JSON report, read whole.
    Report(Snapshot),
}

impl Baseline {
    pub fn header(&self) -> &ScanHeader {
        match self {
            Baseline::Stored { header, .. } => header,
            Baseline::Report(snapshot) => &snapshot.header,
        }
    }

    /// The baseline's findings of one account.
    pub fn of_account(&self, account_id: &str) -> Result<AccountBaseline, StoreError> {
        let snapshot = match self {
            Baseline::Stored { header, store } => store.account_snapshot(header, account_id)?,
            Baseline::Report(snapshot) => snapshot.of_account(account_id),
        };
        Ok(AccountBaseline::new(snapshot))
    }
}

/// The store with this scan begun in it (or why not), and the baseline.
#[derive(Debug)]
pub struct Begun {
    pub store: Option<(Store, i64)>,
    pub problem: Option<StoreError>,
    pub path: PathBuf,
    pub baseline: Option<Baseline>,
    pub run: RunRecord,
}

impl Memory {
    /// Opens the store and finds the baseline. A baseline that was asked
    /// for and cannot be read is a usage error; a store that cannot be
    /// opened for recording is reported after the reports are written.
    /// `run` learns the scan's place in the store once it begins.
    pub fn open(settings: &Settings, recording: Recording, run: RunRecord) -> Result<Memory, UsageError> {
        let path = settings.store_path();
        let record = !settings.no_store && (recording == Recording::ByDefault || settings.store.is_some());
        let create_at_begin = record && !path.exists();
        let (store, problem) = if record && !create_at_begin {
            match Store::open_or_create(&path) {
                Ok(store) => (Some(store), None),
                Err(err) => (None, Some(err)),
            }
        } else {
            (None, None)
        };
        let baseline = match &settings.baseline {
            Some(ScanRef::Report(report)) => {
                Some(Baseline::Report(history::read_report(report).map_err(|err| UsageError::of("baseline: ", err))?))
            }
            Some(reference) => {
                Some(stored(&path, reference.store_id()).map_err(|err| UsageError::of("baseline: ", err))?)
            }
            None => None,
        };
        let mut memory = Memory { store, problem, baseline, path, create_at_begin, run };
        // Without --baseline, the store's latest scan, if there is one. A
        // store that cannot give it back is reported like any store error,
        // not taken for a store without history.
        if settings.baseline.is_none()
            && let Some(store) = &memory.store
        {
            match store.latest(None).and_then(|latest| latest.map(|id| stored(&memory.path, Some(id))).transpose()) {
                Ok(latest) => memory.baseline = latest,
                Err(err) => memory.fail(err),
            }
        }
        Ok(memory)
    }

    /// Starts recording this scan: from here on, a scan that dies leaves a
    /// `running` row that nobody reads.
    pub fn begin(mut self, header: &ScanHeader, selection: &serde_json::Value) -> Begun {
        if std::mem::take(&mut self.create_at_begin) {
            match Store::open_or_create(&self.path) {
                Ok(store) => self.store = Some(store),
                Err(err) => self.fail(err),
            }
        }
        let mut store = None;
        if let Some(mut opened) = self.store.take() {
            match opened.begin(header, selection) {
                Ok(id) => {
                    self.run.set(&self.path, id);
                    store = Some((opened, id));
                }
                Err(err) => self.fail(err),
            }
        }
        Begun { store, problem: self.problem, path: self.path, baseline: self.baseline, run: self.run }
    }

    fn fail(&mut self, err: StoreError) {
        self.problem.get_or_insert(err);
        self.store = None;
    }
}

/// A complete scan of the store at `path`, through a connection of its own.
fn stored(path: &std::path::Path, id: Option<i64>) -> Result<Baseline, StoreError> {
    let store = Store::open_to_read(path)?;
    let header = store.header(store.resolve(id)?)?;
    Ok(Baseline::Stored { header, store })
}
