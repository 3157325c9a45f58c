//! The scan store: one SQLite file (bundled SQLite, nothing to install)
//! holding every scan's header, selection, summary and findings.
//!
//! A scan is written as it goes and becomes visible only when it is
//! complete: its row is `running` until [`ScanWriter::finish`] flips it in
//! one short transaction, and every reader asks for `complete` scans, so a
//! scan that dies half-way leaves nothing anyone reads. Writes are short
//! transactions in WAL mode with a busy timeout, so two scans writing to one
//! store at once both land.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::record::{FindingKey, FindingRecord, PreviousState, ScanHeader, Snapshot};
use crate::model::{Trend, TrendPoint};
use crate::severity::Status;

/// `PRAGMA application_id`: marks the file as a bulkhead store ("BHD1").
const APPLICATION_ID: i32 = 0x4248_4431;

/// Each entry takes the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE scans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    state         TEXT NOT NULL CHECK (state IN ('running', 'complete')),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    principal_arn TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    regions       TEXT NOT NULL,  -- JSON array
    selection     TEXT NOT NULL,  -- JSON object: what the command line selected
    summary       TEXT            -- JSON object: counts, collection errors
);
CREATE TABLE scan_accounts (
    scan_id    INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    PRIMARY KEY (scan_id, account_id)
) WITHOUT ROWID;
CREATE TABLE scan_checks (
    scan_id  INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    PRIMARY KEY (scan_id, check_id)
) WITHOUT ROWID;
CREATE TABLE findings (
    scan_id       INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    region        TEXT NOT NULL,
    check_id      TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    resource_arn  TEXT NOT NULL,
    status        TEXT NOT NULL,
    severity      TEXT NOT NULL,
    muted         INTEGER NOT NULL,
    message       TEXT NOT NULL,
    failing_since TEXT
);
CREATE INDEX findings_by_scan ON findings (scan_id, account_id, check_id);
"#];

/// How long a writer waits for another scan's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// A `running` scan older than this is taken for dead by `prune`.
const ABANDONED_AFTER_HOURS: i64 = 24;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("scan store {path} does not exist")]
    Missing { path: PathBuf },
    #[error("{path} is not a bulkhead scan store, or it is damaged: {reason}")]
    NotAStore { path: PathBuf, reason: String },
    #[error(
        "scan store {path} has schema version {found}, newer than this bulkhead knows ({known}); use a newer bulkhead or another --store"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("scan store {path}: no complete scan {what}")]
    NoScan { path: PathBuf, what: String },
    #[error("scan store {path}: {action}: {source}")]
    Sqlite {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },
}

#[derive(Debug)]
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

/// One line of `bulkhead history list`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScanListing {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub accounts: i64,
    pub checks: i64,
    pub pass: i64,
    pub fail: i64,
    pub error: i64,
}

/// Which scans `prune` removes.
#[derive(Debug, Clone, Copy)]
pub enum Prune {
    /// All but the newest N complete scans.
    KeepNewest(u64),
    /// Complete scans that started more than N days ago.
    OlderThanDays(u64),
}

impl Store {
    /// Opens the store, creating it (and its folder) if it does not exist.
    pub fn open_or_create(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|err| StoreError::NotAStore {
                path: path.to_owned(),
                reason: format!("cannot create its folder: {err}"),
            })?;
        }
        Store::open_with(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens a store that must exist already (history, diff, baselines).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_owned() });
        }
        Store::open_with(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Store, StoreError> {
        let connection = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(failed(path, "opening"))?;
        let mut store = Store { connection, path: path.to_owned() };
        store.prepare()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self, action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
        failed(&self.path, action)
    }

    /// WAL lets one scan write while others read and write in turn. The
    /// mode is kept in the file, so only a new store switches; that switch
    /// needs the file to itself, and SQLite does not wait on the busy handler
    /// for it, so two scans creating one store at once retry it here.
    fn use_write_ahead_log(&self) -> Result<(), StoreError> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            let mode: Result<String, _> = self.connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0));
            match mode {
                Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
                Err(rusqlite::Error::SqliteFailure(code, _))
                    if code.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(mode) => {
                    return Err(StoreError::NotAStore {
                        path: self.path.clone(),
                        reason: format!("it cannot use write-ahead logging (journal mode stays {mode})"),
                    });
                }
                Err(err) => return Err(self.sqlite("switching to write-ahead logging")(err)),
            }
        }
    }

    /// Checks the file is ours and brings its schema up to date, in one
    /// immediate transaction so two scans creating a store at once agree.
    fn prepare(&mut self) -> Result<(), StoreError> {
        self.connection.busy_timeout(BUSY_TIMEOUT).map_err(self.sqlite("setting the busy timeout"))?;
        self.use_write_ahead_log()?;
        self.connection.pragma_update(None, "foreign_keys", true).map_err(self.sqlite("enabling foreign keys"))?;
        // SQLite's default page cache is 2 MiB, filled while an account's
        // findings are inserted, at the moment the scan's memory peaks
        // (its findings are held then too). Past 512 KiB the pages come from
        // the operating system's cache instead, at no measurable cost.
        self.connection.pragma_update(None, "cache_size", -512).map_err(self.sqlite("sizing the page cache"))?;
        let path = self.path.clone();
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed(&path, "locking for migration"))?;
        let read = |sql: &str| -> Result<i64, StoreError> {
            transaction.query_row(sql, [], |row| row.get(0)).map_err(|source| match source {
                rusqlite::Error::SqliteFailure(..) => {
                    StoreError::NotAStore { path: path.clone(), reason: source.to_string() }
                }
                source => StoreError::Sqlite { path: path.clone(), action: "reading the schema version", source },
            })
        };
        let application_id = read("PRAGMA application_id")?;
        let version = read("PRAGMA user_version")?;
        let tables = read("SELECT count(*) FROM sqlite_master")?;
        let known = MIGRATIONS.len() as i64;
        if application_id != i64::from(APPLICATION_ID) && !(application_id == 0 && tables == 0) {
            return Err(StoreError::NotAStore {
                path: path.clone(),
                reason: "it is an SQLite database of something else".to_owned(),
            });
        }
        if version > known {
            return Err(StoreError::TooNew { path: path.clone(), found: version, known });
        }
        for migration in &MIGRATIONS[version as usize..] {
            transaction.execute_batch(migration).map_err(failed(&path, "migrating the schema"))?;
        }
        transaction
            .execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {known};"))
            .map_err(failed(&path, "recording the schema version"))?;
        transaction.commit().map_err(failed(&path, "committing the migration"))
    }

    /// Starts recording a scan and returns its id; it stays invisible until
    /// [`complete`](Store::complete). A scan never completed stays `running`:
    /// no reader sees it, and `prune` removes it after a day.
    pub fn begin(&mut self, header: &ScanHeader, selection: &serde_json::Value) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let transaction = self.connection.transaction().map_err(failed(&path, "starting a scan"))?;
        transaction
            .execute(
                "INSERT INTO scans (state, started_at, principal_arn, tool_version, regions, selection)
                 VALUES ('running', ?1, ?2, ?3, ?4, ?5)",
                params![
                    header.started_at,
                    header.principal_arn,
                    header.tool_version,
                    serde_json::to_string(&header.regions).unwrap_or_default(),
                    selection.to_string(),
                ],
            )
            .map_err(failed(&path, "starting a scan"))?;
        let id = transaction.last_insert_rowid();
        for account in &header.accounts {
            transaction
                .execute("INSERT OR IGNORE INTO scan_accounts VALUES (?1, ?2)", params![id, account])
                .map_err(failed(&path, "recording the scan's accounts"))?;
        }
        for check in &header.checks {
            transaction
                .execute("INSERT OR IGNORE INTO scan_checks VALUES (?1, ?2)", params![id, check])
                .map_err(failed(&path, "recording the scan's checks"))?;
        }
        transaction.commit().map_err(failed(&path, "starting a scan"))?;
        Ok(id)
    }

    /// The newest complete scan, or the newest one before `before`.
    pub fn latest(&self, before: Option<i64>) -> Result<Option<i64>, StoreError> {
        self.connection
            .query_row(
                "SELECT max(id) FROM scans WHERE state = 'complete' AND id < ?1",
                params![before.unwrap_or(i64::MAX)],
                |row| row.get(0),
            )
            .map_err(self.sqlite("finding the latest scan"))
    }

    /// A complete scan by id, or the newest with `None`.
    pub fn resolve(&self, id: Option<i64>) -> Result<i64, StoreError> {
        let found = match id {
            None => self.latest(None)?,
            Some(id) => self
                .connection
                .query_row("SELECT id FROM scans WHERE id = ?1 AND state = 'complete'", params![id], |row| row.get(0))
                .optional()
                .map_err(self.sqlite("finding a scan"))?,
        };
        found.ok_or_else(|| StoreError::NoScan {
            path: self.path.clone(),
            what: id.map_or("yet".to_owned(), |id| format!("with id {id}")),
        })
    }

    pub fn header(&self, id: i64) -> Result<ScanHeader, StoreError> {
        let (started_at, finished_at, principal_arn, tool_version, regions): (
            String,
            Option<String>,
            String,
            String,
            String,
        ) = self
            .connection
            .query_row(
                "SELECT started_at, finished_at, principal_arn, tool_version, regions FROM scans WHERE id = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .map_err(self.sqlite("reading a scan"))?;
        let column = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut statement = self.connection.prepare(sql).map_err(self.sqlite("reading a scan"))?;
            let rows = statement.query_map(params![id], |row| row.get(0)).map_err(self.sqlite("reading a scan"))?;
            rows.collect::<Result<_, _>>().map_err(self.sqlite("reading a scan"))
        };
        Ok(ScanHeader {
            id: Some(id),
            label: format!("scan {id}"),
            started_at,
            finished_at: finished_at.unwrap_or_default(),
            principal_arn,
            tool_version,
            accounts: column("SELECT account_id FROM scan_accounts WHERE scan_id = ?1 ORDER BY account_id")?,
            regions: serde_json::from_str(&regions).map_err(|err| StoreError::NotAStore {
                path: self.path.clone(),
                reason: format!("scan {id} has unreadable regions: {err}"),
            })?,
            checks: column("SELECT check_id FROM scan_checks WHERE scan_id = ?1 ORDER BY check_id")?,
        })
    }

    /// A complete scan by id, or the newest with `None`.
    pub fn snapshot_of(&self, id: Option<i64>) -> Result<Snapshot, StoreError> {
        self.snapshot(self.resolve(id)?)
    }

    pub fn snapshot(&self, id: i64) -> Result<Snapshot, StoreError> {
        let header = self.header(id)?;
        let findings = self.findings("WHERE f.scan_id = ?1", params![id])?;
        Ok(Snapshot { header, findings })
    }

    /// One account's findings of a scan, with the scan's whole header.
    pub fn account_snapshot(&self, header: &ScanHeader, account_id: &str) -> Result<Snapshot, StoreError> {
        let id = header.id.ok_or_else(|| StoreError::NotAStore {
            path: self.path.clone(),
            reason: "a scan read from a report has no findings in the store".to_owned(),
        })?;
        let findings = self.findings("WHERE f.scan_id = ?1 AND f.account_id = ?2", params![id, account_id])?;
        Ok(Snapshot { header: header.clone(), findings })
    }

    fn findings(&self, filter: &str, values: impl rusqlite::Params) -> Result<Vec<FindingRecord>, StoreError> {
        let sql = format!(
            "SELECT f.account_id, f.region, f.check_id, f.resource_id, f.resource_arn, f.status, f.severity,
                    f.muted, f.message, f.failing_since FROM findings f {filter}"
        );
        let mut statement = self.connection.prepare(&sql).map_err(self.sqlite("reading findings"))?;
        let rows = statement
            .query_map(values, |row| {
                Ok((
                    FindingKey {
                        account_id: row.get(0)?,
                        region: row.get(1)?,
                        check_id: row.get(2)?,
                        resource_id: row.get(3)?,
                        resource_arn: row.get(4)?,
                    },
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, bool>(7)?,
                    row.get::<_, String>(8)?,
                    row.get::<_, Option<String>>(9)?,
                ))
            })
            .map_err(self.sqlite("reading findings"))?;
        let mut findings = Vec::new();
        for row in rows {
            let (key, status, severity, muted, message, failing_since) =
                row.map_err(self.sqlite("reading findings"))?;
            let unreadable = |what: &str, value: &str| StoreError::NotAStore {
                path: self.path.clone(),
                reason: format!("a finding has an unknown {what} {value:?}"),
            };
            findings.push(FindingRecord {
                status: parse_status(&status).ok_or_else(|| unreadable("status", &status))?,
                severity: severity.parse().map_err(|_| unreadable("severity", &severity))?,
                key,
                muted,
                message,
                failing_since,
            });
        }
        Ok(findings)
    }

    /// Each finding of `account` as the newest complete scan before `before`
    /// that ran its check on the account saw it, for dating FAILs.
    pub fn previous_states(
        &self,
        account: &str,
        before: i64,
    ) -> Result<HashMap<FindingKey, PreviousState>, StoreError> {
        let sql = "WITH previous AS (
                 SELECT c.check_id, max(s.id) AS scan_id FROM scans s
                 JOIN scan_accounts a ON a.scan_id = s.id AND a.account_id = ?1
                 JOIN scan_checks c ON c.scan_id = s.id
                 WHERE s.state = 'complete' AND s.id < ?2
                 GROUP BY c.check_id)
             SELECT f.account_id, f.region, f.check_id, f.resource_id, f.resource_arn, f.status, f.failing_since,
                    s.started_at
             FROM previous p JOIN findings f ON f.scan_id = p.scan_id AND f.check_id = p.check_id AND f.account_id = ?1
             JOIN scans s ON s.id = p.scan_id";
        let mut statement = self.connection.prepare(sql).map_err(self.sqlite("reading the previous scan"))?;
        let rows = statement
            .query_map(params![account, before], |row| {
                let key = FindingKey {
                    account_id: row.get(0)?,
                    region: row.get(1)?,
                    check_id: row.get(2)?,
                    resource_id: row.get(3)?,
                    resource_arn: row.get(4)?,
                };
                Ok((key, row.get::<_, String>(5)?, row.get::<_, Option<String>>(6)?, row.get::<_, String>(7)?))
            })
            .map_err(self.sqlite("reading the previous scan"))?;
        let mut states = HashMap::new();
        for row in rows {
            let (key, status, failing_since, scan_started_at) =
                row.map_err(self.sqlite("reading the previous scan"))?;
            if let Some(status) = parse_status(&status) {
                states.insert(key, PreviousState { status, failing_since, scan_started_at });
            }
        }
        Ok(states)
    }

    /// Unmuted FAILs per check and per account over the newest `last`
    /// complete scans, oldest first. A check with no FAIL in any of them
    /// has no trend.
    pub fn trends(&self, last: u64) -> Result<Vec<Trend>, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT id, started_at FROM scans WHERE state = 'complete' ORDER BY id DESC LIMIT ?1")
            .map_err(self.sqlite("reading trends"))?;
        let mut scans: Vec<(i64, String)> = statement
            .query_map(params![last as i64], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(self.sqlite("reading trends"))?
            .collect::<Result<_, _>>()
            .map_err(self.sqlite("reading trends"))?;
        scans.reverse();
        let Some(&(oldest, _)) = scans.first() else { return Ok(Vec::new()) };
        let mut trends = Vec::new();
        for (kind, column, coverage) in
            [("check", "check_id", "scan_checks"), ("account", "account_id", "scan_accounts")]
        {
            let counts = self.grouped(
                &format!(
                    "SELECT scan_id, {column}, count(*) FROM findings
                     WHERE scan_id >= ?1 AND status = 'FAIL' AND muted = 0 GROUP BY scan_id, {column}"
                ),
                oldest,
            )?;
            let covered =
                self.grouped(&format!("SELECT scan_id, {column}, 0 FROM {coverage} WHERE scan_id >= ?1"), oldest)?;
            let subjects: std::collections::BTreeSet<&String> = match kind {
                "check" => counts.keys().map(|(_, subject)| subject).collect(),
                _ => covered.keys().map(|(_, subject)| subject).collect(),
            };
            for subject in subjects {
                let points = scans
                    .iter()
                    .map(|(scan_id, started_at)| {
                        let key = (*scan_id, subject.clone());
                        let fail = counts.get(&key).copied().or_else(|| covered.contains_key(&key).then_some(0));
                        TrendPoint { scan_id: *scan_id, started_at: started_at.clone(), fail }
                    })
                    .collect();
                trends.push(Trend { kind: kind.to_owned(), subject: subject.clone(), points });
            }
        }
        Ok(trends)
    }

    fn grouped(&self, sql: &str, oldest: i64) -> Result<BTreeMap<(i64, String), u64>, StoreError> {
        let mut statement = self.connection.prepare(sql).map_err(self.sqlite("reading trends"))?;
        let rows = statement
            .query_map(params![oldest], |row| Ok(((row.get(0)?, row.get(1)?), row.get::<_, i64>(2)?.max(0) as u64)))
            .map_err(self.sqlite("reading trends"))?;
        rows.collect::<Result<_, _>>().map_err(self.sqlite("reading trends"))
    }

    /// Complete scans, newest first, with their counts.
    pub fn list(&self) -> Result<Vec<ScanListing>, StoreError> {
        let sql = "SELECT s.id, s.started_at, coalesce(s.finished_at, ''),
                (SELECT count(*) FROM scan_accounts a WHERE a.scan_id = s.id),
                (SELECT count(*) FROM scan_checks c WHERE c.scan_id = s.id),
                (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'PASS'),
                (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'FAIL'),
                (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'ERROR')
             FROM scans s WHERE s.state = 'complete' ORDER BY s.id DESC";
        let mut statement = self.connection.prepare(sql).map_err(self.sqlite("listing scans"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(ScanListing {
                    id: row.get(0)?,
                    started_at: row.get(1)?,
                    finished_at: row.get(2)?,
                    accounts: row.get(3)?,
                    checks: row.get(4)?,
                    pass: row.get(5)?,
                    fail: row.get(6)?,
                    error: row.get(7)?,
                })
            })
            .map_err(self.sqlite("listing scans"))?;
        rows.collect::<Result<_, _>>().map_err(self.sqlite("listing scans"))
    }

    /// Removes scans and their findings; also the leftovers of scans that
    /// died (`running` for more than a day). Returns how many scans went.
    pub fn prune(&mut self, prune: Prune, now: jiff::Timestamp) -> Result<usize, StoreError> {
        let abandoned_before = (now - jiff::SignedDuration::from_hours(ABANDONED_AFTER_HOURS)).to_string();
        let path = self.path.clone();
        let fail = || failed(&path, "pruning");
        let transaction = self.connection.transaction().map_err(fail())?;
        let mut removed = transaction
            .execute("DELETE FROM scans WHERE state = 'running' AND started_at < ?1", params![abandoned_before])
            .map_err(fail())?;
        removed += match prune {
            Prune::KeepNewest(keep) => transaction
                .execute(
                    "DELETE FROM scans WHERE state = 'complete' AND id NOT IN
                     (SELECT id FROM scans WHERE state = 'complete' ORDER BY id DESC LIMIT ?1)",
                    params![keep as i64],
                )
                .map_err(fail())?,
            Prune::OlderThanDays(days) => {
                let cutoff = (now - jiff::SignedDuration::from_hours(24 * days as i64)).to_string();
                transaction
                    .execute("DELETE FROM scans WHERE state = 'complete' AND started_at < ?1", params![cutoff])
                    .map_err(fail())?
            }
        };
        transaction.commit().map_err(fail())?;
        Ok(removed)
    }
}

/// The error of a failed SQLite call: a damaged file says so.
fn failed<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| match &source {
        rusqlite::Error::SqliteFailure(code, _)
            if matches!(code.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) =>
        {
            StoreError::NotAStore { path: path.to_owned(), reason: source.to_string() }
        }
        _ => StoreError::Sqlite { path: path.to_owned(), action, source },
    }
}

fn parse_status(text: &str) -> Option<Status> {
    [Status::Pass, Status::Fail, Status::Error].into_iter().find(|status| status.as_str() == text)
}

impl Store {
    /// Records a batch of findings (an account's, say) in one transaction.
    pub fn add(&mut self, scan_id: i64, findings: &[FindingRecord]) -> Result<(), StoreError> {
        let transaction = self.connection.transaction().map_err(failed(&self.path, "recording findings"))?;
        for finding in findings {
            insert(&transaction, &self.path, scan_id, finding)?;
        }
        transaction.commit().map_err(failed(&self.path, "recording findings"))
    }

    /// Begins recording findings of the scan `scan_id` a row at a time, in
    /// one transaction, so that a caller need not hold them all at once.
    /// The batch holds the store until it is committed.
    pub fn batch(self, scan_id: i64) -> Result<FindingsBatch, StoreError> {
        self.connection.execute_batch("BEGIN").map_err(failed(&self.path, "recording findings"))?;
        Ok(FindingsBatch { store: Some(self), scan_id })
    }

    /// Makes the scan visible, with its summary.
    pub fn complete(&mut self, scan_id: i64, finished_at: &str, summary: &serde_json::Value) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.connection
            .execute(
                "UPDATE scans SET state = 'complete', finished_at = ?2, summary = ?3 WHERE id = ?1",
                params![scan_id, finished_at, summary.to_string()],
            )
            .map_err(failed(&path, "completing the scan"))?;
        Ok(())
    }
}

/// Findings going into the store in one transaction: none of them is
/// kept unless `commit` is called, which hands the store back; a batch
/// dropped before that rolls its findings back.
#[derive(Debug)]
pub struct FindingsBatch {
    /// `Some` until committed.
    store: Option<Store>,
    scan_id: i64,
}

impl FindingsBatch {
    fn store(&self) -> &Store {
        self.store.as_ref().expect("a batch holds its store until it is committed")
    }

    pub fn add(&mut self, finding: &FindingRecord) -> Result<(), StoreError> {
        let store = self.store();
        insert(&store.connection, &store.path, self.scan_id, finding)
    }

    pub fn commit(mut self) -> Result<Store, StoreError> {
        let store = self.store.take().expect("a batch holds its store until it is committed");
        store.connection.execute_batch("COMMIT").map_err(failed(&store.path, "recording findings"))?;
        Ok(store)
    }
}

/// One finding's row.
fn insert(connection: &Connection, path: &Path, scan_id: i64, finding: &FindingRecord) -> Result<(), StoreError> {
    let fail = || failed(path, "recording findings");
    let mut insert = connection
        .prepare_cached("INSERT INTO findings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
        .map_err(fail())?;
    insert
        .execute(params![
            scan_id,
            finding.key.account_id,
            finding.key.region,
            finding.key.check_id,
            finding.key.resource_id,
            finding.key.resource_arn,
            finding.status.as_str(),
            finding.severity.as_str(),
            finding.muted,
            finding.message,
            finding.failing_since,
        ])
        .map_err(fail())?;
    Ok(())
}

impl Drop for FindingsBatch {
    fn drop(&mut self) {
        if let Some(store) = &self.store {
            // Nothing to report: the connection closes with the batch's
            // store, and SQLite rolls back what was not committed anyway.
            let _ = store.connection.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::Severity;

    fn header(started_at: &str, checks: &[&str]) -> ScanHeader {
        ScanHeader {
            id: None,
            label: String::new(),
            started_at: started_at.to_owned(),
            finished_at: String::new(),
            principal_arn: "arn:aws:iam::111111111111:role/audit".to_owned(),
            tool_version: "0.0.0".to_owned(),
            accounts: vec!["111111111111".to_owned()],
            regions: vec!["eu-west-1".to_owned()],
            checks: checks.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn finding(check: &str, resource: &str, status: Status, since: Option<&str>) -> FindingRecord {
        FindingRecord {
            key: FindingKey {
                account_id: "111111111111".to_owned(),
                region: "eu-west-1".to_owned(),
                check_id: check.to_owned(),
                resource_id: resource.to_owned(),
                resource_arn: format!("arn:aws:ecr:eu-west-1:111111111111:repository/{resource}"),
            },
            status,
            severity: Severity::Medium,
            muted: false,
            message: "m".to_owned(),
            failing_since: since.map(str::to_owned),
        }
    }

    fn record(store: &mut Store, started_at: &str, checks: &[&str], findings: &[FindingRecord]) -> i64 {
        let id = store.begin(&header(started_at, checks), &serde_json::json!({})).unwrap();
        store.add(id, findings).unwrap();
        store.complete(id, started_at, &serde_json::json!({})).unwrap();
        id
    }

    #[test]
    fn a_scan_reads_back_as_it_was_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(&dir.path().join("new/folder/bulkhead.db")).unwrap();
        let findings = vec![
            finding("a", "r1", Status::Fail, Some("2026-11-01T00:00:00Z")),
            finding("a", "r2", Status::Pass, None),
        ];
        let id = record(&mut store, "2026-11-02T00:00:00Z", &["a"], &findings);
        let snapshot = store.snapshot(id).unwrap();
        assert_eq!(snapshot.findings, findings);
        assert_eq!(snapshot.header.checks, ["a"]);
        assert_eq!(snapshot.header.label, format!("scan {id}"));
        let listed = store.list().unwrap();
        assert_eq!((listed.len(), listed[0].fail, listed[0].pass), (1, 1, 1));
    }

    #[test]
    fn a_scan_never_completed_is_invisible() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulkhead.db");
        let mut store = Store::open_or_create(&path).unwrap();
        let done = record(&mut store, "2026-11-01T00:00:00Z", &["a"], &[finding("a", "r", Status::Pass, None)]);
        let dead = store.begin(&header("2026-11-02T00:00:00Z", &["a"]), &serde_json::json!({})).unwrap();
        store.add(dead, &[finding("a", "r", Status::Fail, Some("2026-11-02T00:00:00Z"))]).unwrap();
        drop(store);

        let mut store = Store::open_existing(&path).unwrap();
        assert_eq!(store.list().unwrap().len(), 1);
        assert_eq!(store.latest(None).unwrap(), Some(done));
        assert!(matches!(store.resolve(Some(dead)), Err(StoreError::NoScan { .. })));
        let states = store.previous_states("111111111111", i64::MAX).unwrap();
        assert_eq!(states.values().map(|state| state.status).collect::<Vec<_>>(), [Status::Pass]);
        // A day later prune takes it away.
        let removed = store.prune(Prune::KeepNewest(10), "2026-11-04T00:00:00Z".parse().unwrap()).unwrap();
        assert_eq!(removed, 1);
    }

    #[test]
    fn dates_come_from_the_last_scan_that_ran_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(&dir.path().join("bulkhead.db")).unwrap();
        record(
            &mut store,
            "2026-11-01T00:00:00Z",
            &["a", "b"],
            &[
                finding("a", "r", Status::Fail, Some("2026-10-01T00:00:00Z")),
                finding("b", "r", Status::Fail, Some("2026-10-15T00:00:00Z")),
            ],
        );
        // A later scan of check `a` alone says nothing about `b`.
        record(&mut store, "2026-11-02T00:00:00Z", &["a"], &[finding("a", "r", Status::Pass, None)]);
        let states = store.previous_states("111111111111", i64::MAX).unwrap();
        let by_check: BTreeMap<&str, (Status, Option<&str>)> = states
            .iter()
            .map(|(key, state)| (key.check_id.as_str(), (state.status, state.failing_since.as_deref())))
            .collect();
        assert_eq!(by_check["a"], (Status::Pass, None));
        assert_eq!(by_check["b"], (Status::Fail, Some("2026-10-15T00:00:00Z")));
    }

    #[test]
    fn files_that_are_not_our_store_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, b"this is not a database, just some text that is long enough").unwrap();
        let err = Store::open_or_create(&garbage).unwrap_err();
        assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
        assert!(err.to_string().contains("is not a bulkhead scan store"), "{err}");

        let other = dir.path().join("other.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x);").unwrap();
        let err = Store::open_or_create(&other).unwrap_err();
        assert!(err.to_string().contains("SQLite database of something else"), "{err}");

        let newer = dir.path().join("newer.db");
        drop(Store::open_or_create(&newer).unwrap());
        Connection::open(&newer).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
        let err = Store::open_or_create(&newer).unwrap_err();
        assert!(err.to_string().contains("schema version 99, newer than this bulkhead knows (1)"), "{err}");

        let err = Store::open_existing(&dir.path().join("missing.db")).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }

    #[test]
    fn two_writers_at_once_both_land() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulkhead.db");
        let writers: Vec<_> = (0..2)
            .map(|n| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open_or_create(&path).unwrap();
                    let id = store.begin(&header("2026-11-01T00:00:00Z", &["a"]), &serde_json::json!({})).unwrap();
                    for batch in 0..20 {
                        let resource = format!("w{n}-{batch}");
                        store.add(id, &[finding("a", &resource, Status::Fail, None)]).unwrap();
                    }
                    store.complete(id, "2026-11-01T00:01:00Z", &serde_json::json!({})).unwrap();
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let store = Store::open_existing(&path).unwrap();
        let listed = store.list().unwrap();
        assert_eq!(listed.iter().map(|scan| scan.fail).collect::<Vec<_>>(), [20, 20]);
    }

    #[test]
    fn trends_count_unmuted_fails_and_mark_what_a_scan_did_not_cover() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(&dir.path().join("bulkhead.db")).unwrap();
        record(&mut store, "2026-11-01T00:00:00Z", &["a"], &[finding("a", "r", Status::Fail, None)]);
        record(&mut store, "2026-11-02T00:00:00Z", &["b"], &[finding("b", "r", Status::Fail, None)]);
        let mut muted = finding("a", "r", Status::Fail, None);
        muted.muted = true;
        record(&mut store, "2026-11-03T00:00:00Z", &["a"], &[muted, finding("a", "s", Status::Fail, None)]);
        let trends = store.trends(10).unwrap();
        let of = |subject: &str| -> Vec<Option<u64>> {
            trends
                .iter()
                .find(|t| t.kind == "check" && t.subject == subject)
                .unwrap()
                .points
                .iter()
                .map(|p| p.fail)
                .collect()
        };
        assert_eq!(of("a"), [Some(1), None, Some(1)]);
        assert_eq!(of("b"), [None, Some(1), None]);
    }
}

#[cfg(test)]
mod creation_race {
    use super::Store;

    /// Scans started together on a store that does not exist yet all open it.
    #[test]
    fn many_scans_creating_one_store_at_once_all_open_it() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("bulkhead.db");
            let openers: Vec<_> = (0..8)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || Store::open_or_create(&path).map(drop))
                })
                .collect();
            for opener in openers {
                opener.join().unwrap().unwrap();
            }
        }
    }
}
