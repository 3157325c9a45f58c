//! The scan store: one SQLite file (bundled SQLite, nothing to install)
//! holding every scan's header, selection, summary and findings.
//!
//! A scan is written as it goes and becomes visible only when it is
//! complete, which is after every report it was asked for is written: its
//! row is `running` until [`Store::complete`] flips it in one short
//! transaction, and every reader that compares scans asks for `complete`
//! ones. A scan that dies half-way stays `running`; one that could not
//! write its reports, or was interrupted, is ended `failed` or
//! `interrupted` ([`Store::end`]): `history list` shows them, nothing
//! compares with them. Writes are short transactions in WAL mode with a
//! busy timeout, so two scans writing to one store at once both land.
//!
//! Reading a store ([`Store::open_to_read`]: `history list`, `diff`, a
//! baseline) leaves nothing beside it that was not there, also where the
//! file or its folder is read-only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::severity::Status;

mod read;
#[cfg(test)]
mod tests;
mod whole;
mod write;

pub use whole::{FindingDetail, KeptError, KeptReport};
pub use write::{Ended, FindingsBatch};

/// `PRAGMA application_id`: marks the file as a bulkhead store ("BHD1").
const APPLICATION_ID: i32 = 0x4248_4431;

/// Each entry takes the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    r#"
CREATE TABLE scans_with_ends (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    state         TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'interrupted')),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    principal_arn TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    regions       TEXT NOT NULL,  -- JSON array
    selection     TEXT NOT NULL,  -- JSON object: what the command line selected
    summary       TEXT,           -- JSON object: counts, collection errors
    problem       TEXT            -- why a failed or interrupted scan ended
);
INSERT INTO scans_with_ends (id, state, started_at, finished_at, principal_arn, tool_version, regions, selection, summary)
    SELECT id, state, started_at, finished_at, principal_arn, tool_version, regions, selection, summary FROM scans;
DROP TABLE scans;
ALTER TABLE scans_with_ends RENAME TO scans;
"#,
    // What `bulkhead report` writes a scan's reports again from; NULL for
    // the scans recorded before.
    r#"
ALTER TABLE scans ADD COLUMN report TEXT;     -- JSON: the report without its findings, kept as the scan completes
ALTER TABLE findings ADD COLUMN detail TEXT;  -- JSON: the finding's report fields beyond the columns above
"#,
];

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
    #[error(
        "scan store {path} has schema version {found}, older than this bulkhead reads ({known}), and it is read-only here: let a scan record in it once to bring it up to date"
    )]
    TooOldToRead { path: PathBuf, found: i64, known: i64 },
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

/// One line of `bulkhead history list`: every scan the store holds, also
/// those that did not complete.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScanListing {
    pub id: i64,
    /// `complete`, `running` (under way, or died), `failed` or `interrupted`.
    pub state: String,
    /// Why a failed or interrupted scan ended.
    pub problem: Option<String>,
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
    /// A new store is created owner-only (0600) before SQLite opens it, as
    /// every file bulkhead writes: it holds every finding. SQLite gives its
    /// `-wal` and `-shm` files the database file's mode.
    pub fn open_or_create(path: &Path) -> Result<Store, StoreError> {
        let cannot = |what: &str, err: std::io::Error| StoreError::NotAStore {
            path: path.to_owned(),
            reason: format!("cannot create {what}: {err}"),
        };
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|err| cannot("its folder", err))?;
        }
        // An empty file is an empty SQLite database; one that exists (made
        // by another scan a moment ago) is left as it is.
        match crate::files::create_private(path) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(cannot("it", err)),
        }
        Store::open_with(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens a store that must exist already, to write in it (`prune`, the
    /// end of an interrupted scan).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_owned() });
        }
        Store::open_with(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    /// Opens a store that must exist already, to read it (`history list`,
    /// `diff`, a baseline), leaving nothing beside it that was not there.
    ///
    /// In WAL mode every connection needs the `-wal` and `-shm` files; the
    /// last connection to close removes them, but only if it can write.
    /// So where the store and its folder can be written, a reader opens it
    /// as a writer does and writes nothing (`query_only`). Where they
    /// cannot, a read-only connection would leave the files it could create
    /// (or fail for those it could not): then a store another process has
    /// open (its `-wal` is there) is read through that process's files, and
    /// one that nobody has open is read as an immutable file, with no lock
    /// and no file beside it. (A writer that starts on it meanwhile, which
    /// can only be another user's, is not seen.)
    pub fn open_to_read(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_owned() });
        }
        let opened = |connection| Store { connection, path: path.to_owned() };
        let writer = Store::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        // A file that cannot be written opens read-only: SQLite says so.
        let writable = !writer.is_readonly(rusqlite::MAIN_DB).unwrap_or(true);
        // The first read makes the `-wal` and `-shm` files: it fails in a folder that cannot be written.
        if writable && writer.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)).is_ok() {
            let mut store = opened(writer);
            store.check_to_read(true)?;
            return Ok(store);
        }
        drop(writer);
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let connection = if Path::new(&wal).exists() {
            Store::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?
        } else {
            let uri = immutable_uri(path).ok_or_else(|| StoreError::NotAStore {
                path: path.to_owned(),
                reason: "it is read-only here, and its name is not UTF-8".to_owned(),
            })?;
            Store::connect(Path::new(&uri), OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)
                .map_err(|err| StoreError::NotAStore { path: path.to_owned(), reason: err.to_string() })?
        };
        let mut store = opened(connection);
        store.check_to_read(false)?;
        Ok(store)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
        let connection = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(failed(path, "opening"))?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(failed(path, "setting the busy timeout"))?;
        Ok(connection)
    }

    /// Checks that a store opened to read is ours and of a schema this
    /// bulkhead reads, bringing it up to date where it can be written.
    fn check_to_read(&mut self, writable: bool) -> Result<(), StoreError> {
        let read = |sql: &str| -> Result<i64, StoreError> {
            self.connection.query_row(sql, [], |row| row.get(0)).map_err(|source| match source {
                rusqlite::Error::SqliteFailure(..) => {
                    StoreError::NotAStore { path: self.path.clone(), reason: source.to_string() }
                }
                source => StoreError::Sqlite { path: self.path.clone(), action: "reading the schema version", source },
            })
        };
        let (application_id, found) = (read("PRAGMA application_id")?, read("PRAGMA user_version")?);
        let known = MIGRATIONS.len() as i64;
        if found < known && writable {
            self.prepare()?;
        } else if application_id != i64::from(APPLICATION_ID) {
            return Err(StoreError::NotAStore {
                path: self.path.clone(),
                reason: "it is an SQLite database of something else".to_owned(),
            });
        } else if found > known {
            return Err(StoreError::TooNew { path: self.path.clone(), found, known });
        } else if found < known {
            return Err(StoreError::TooOldToRead { path: self.path.clone(), found, known });
        }
        if writable {
            self.connection
                .pragma_update(None, "query_only", true)
                .map_err(self.sqlite("making the reader read-only"))?;
        }
        Ok(())
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
        // A migration that rebuilds a table must not cascade its removal to
        // the findings: foreign keys are on only once the schema is current
        // (the pragma is a no-op inside a transaction).
        self.connection.pragma_update(None, "foreign_keys", false).map_err(self.sqlite("pausing foreign keys"))?;
        self.migrate()?;
        self.connection.pragma_update(None, "foreign_keys", true).map_err(self.sqlite("enabling foreign keys"))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
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
        let broken: i64 = transaction
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| row.get(0))
            .map_err(failed(&path, "checking the migrated schema"))?;
        if broken > 0 {
            return Err(StoreError::NotAStore {
                path: path.clone(),
                reason: format!("{broken} row(s) refer to no scan"),
            });
        }
        transaction
            .execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {known};"))
            .map_err(failed(&path, "recording the schema version"))?;
        transaction.commit().map_err(failed(&path, "committing the migration"))
    }
}

/// `path` as an SQLite URI that opens it immutable: the file is read as it
/// is, with no lock and no `-wal` or `-shm` file.
fn immutable_uri(path: &Path) -> Option<String> {
    let text = path.to_str()?;
    // An absolute path gets an empty authority, so that `//x` stays a path.
    let mut uri = String::from(if text.starts_with('/') { "file://" } else { "file:" });
    for c in text.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Some(uri)
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

#[cfg(test)]
mod file_mode_tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn a_new_store_and_its_write_ahead_files_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("folder/bulkhead.db");
        let store = Store::open_or_create(&path).unwrap();
        store.connection.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        let mode = |suffix: &str| {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            std::fs::metadata(&file).unwrap_or_else(|err| panic!("{}: {err}", file.display())).permissions().mode()
                & 0o777
        };
        assert_eq!([mode(""), mode("-wal"), mode("-shm")], [0o600; 3]);
        drop(store);
        // An existing store opens as it is.
        Store::open_or_create(&path).unwrap();
    }
}
