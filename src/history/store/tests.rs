//! The store's tests: what a scan records reads back, and writers and
//! readers at once.

use super::*;
use crate::history::record::{FindingKey, FindingRecord, ScanHeader};
use crate::severity::Severity;
use rusqlite::Connection;
use std::collections::BTreeMap;

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
    let findings =
        vec![finding("a", "r1", Status::Fail, Some("2026-11-01T00:00:00Z")), finding("a", "r2", Status::Pass, None)];
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
    let listed: Vec<(i64, String)> = store.list().unwrap().into_iter().map(|scan| (scan.id, scan.state)).collect();
    assert_eq!(listed, [(dead, "running".to_owned()), (done, "complete".to_owned())], "listed as what it is");
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
    let known = super::MIGRATIONS.len();
    assert!(err.to_string().contains(&format!("schema version 99, newer than this bulkhead knows ({known})")), "{err}");

    let err = Store::open_existing(&dir.path().join("missing.db")).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn a_store_of_the_first_schema_keeps_its_scans_and_findings_when_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(super::MIGRATIONS[0]).unwrap();
    old.execute_batch(&format!("PRAGMA application_id = {}; PRAGMA user_version = 1;", super::APPLICATION_ID)).unwrap();
    old.execute_batch(
        "INSERT INTO scans (state, started_at, finished_at, principal_arn, tool_version, regions, selection)
             VALUES ('complete', '2026-11-01T00:00:00Z', '2026-11-01T00:01:00Z', 'arn', '0.1.0', '[\"eu-west-1\"]', '{}');
         INSERT INTO scan_accounts VALUES (1, '111111111111');
         INSERT INTO scan_checks VALUES (1, 'a');
         INSERT INTO findings VALUES (1, '111111111111', 'eu-west-1', 'a', 'r', 'arn:r', 'FAIL', 'HIGH', 0, 'm', NULL);",
    )
    .unwrap();
    drop(old);
    let mut store = Store::open_existing(&path).unwrap();
    assert_eq!(store.snapshot_of(None).unwrap().findings.len(), 1, "the findings survive the rebuilt scans table");
    let id = store.begin(&header("2026-11-02T00:00:00Z", &["a"]), &serde_json::json!({})).unwrap();
    assert_eq!(id, 2, "ids go on from where they were");
    store.prune(Prune::KeepNewest(0), jiff::Timestamp::now()).unwrap();
    let findings: i64 = store.connection.query_row("SELECT count(*) FROM findings", [], |row| row.get(0)).unwrap();
    assert_eq!(findings, 0, "removing a scan still removes its findings");
}

#[test]
fn a_failed_or_interrupted_scan_is_listed_and_never_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_or_create(&dir.path().join("bulkhead.db")).unwrap();
    let done = record(&mut store, "2026-11-01T00:00:00Z", &["a"], &[finding("a", "r", Status::Pass, None)]);
    for (ended, why) in [(Ended::Failed, "writing the Html report: Is a directory"), (Ended::Interrupted, "SIGINT")] {
        let id = store.begin(&header("2026-11-02T00:00:00Z", &["a"]), &serde_json::json!({})).unwrap();
        store.add(id, &[finding("a", "r", Status::Fail, None)]).unwrap();
        store.end(id, ended, "2026-11-02T00:01:00Z", why).unwrap();
        assert!(store.complete(id, "2026-11-02T00:02:00Z", &serde_json::json!({})).is_err(), "it stays {ended:?}");
        assert_eq!(store.latest(None).unwrap(), Some(done), "{ended:?} is no baseline");
        let listed = store.list().unwrap();
        assert_eq!((listed[0].state.as_str(), listed[0].problem.as_deref()), (ended.as_str(), Some(why)));
    }
    assert_eq!(store.trends(10, None).unwrap().iter().map(|trend| trend.points.len()).max(), Some(1));
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
    let trends = store.trends(10, None).unwrap();
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

mod creation_race {
    use super::super::Store;

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

#[cfg(unix)]
mod reading {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};

    use super::*;

    /// A file or folder this process cannot write, as another user's or
    /// a read-only mount's: by its mode, or, for a user whom modes do not
    /// stop (root), by the immutable attribute. Undone when dropped.
    struct Unwritable {
        path: PathBuf,
        attribute: bool,
    }

    impl Unwritable {
        /// None where neither can be done here.
        fn make(path: &Path) -> Option<Unwritable> {
            let mode = if path.is_dir() { 0o555 } else { 0o444 };
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
            let mut made = Unwritable { path: path.to_owned(), attribute: false };
            if !writable(path) {
                return Some(made);
            }
            made.attribute =
                std::process::Command::new("chattr").arg("+i").arg(path).status().is_ok_and(|status| status.success());
            (made.attribute && !writable(path)).then_some(made)
        }
    }

    impl Drop for Unwritable {
        fn drop(&mut self) {
            if self.attribute {
                std::process::Command::new("chattr").arg("-i").arg(&self.path).status().unwrap();
            }
            let mode = if self.path.is_dir() { 0o755 } else { 0o644 };
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }

    fn writable(path: &Path) -> bool {
        if path.is_dir() {
            let probe = path.join(".probe");
            let made = std::fs::write(&probe, b"").is_ok();
            let _ = std::fs::remove_file(&probe);
            made
        } else {
            std::fs::OpenOptions::new().append(true).open(path).is_ok()
        }
    }

    fn beside(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    /// What `history list`, `diff` and a baseline read.
    fn read_as_history_does(path: &Path) -> Result<(usize, usize), StoreError> {
        let store = Store::open_to_read(path)?;
        Ok((store.list()?.len(), store.snapshot_of(None)?.findings.len()))
    }

    fn one_scan(path: &Path) -> Store {
        let mut store = Store::open_or_create(path).unwrap();
        record(&mut store, "2026-11-01T00:00:00Z", &["a"], &[finding("a", "r", Status::Fail, None)]);
        store
    }

    #[test]
    fn reading_a_store_leaves_nothing_beside_it_also_where_nothing_can_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulkhead.db");
        drop(one_scan(&path));
        assert_eq!(beside(dir.path()), ["bulkhead.db"]);

        assert_eq!(read_as_history_does(&path).unwrap(), (1, 1));
        assert_eq!(beside(dir.path()), ["bulkhead.db"], "a store that can be written");
        for unwritable in [path.as_path(), dir.path()] {
            let Some(_unwritable) = Unwritable::make(unwritable) else {
                eprintln!("skipped: nothing here makes {} read-only for this process", unwritable.display());
                return;
            };
            assert_eq!(read_as_history_does(&path).unwrap(), (1, 1), "{} read-only", unwritable.display());
            assert_eq!(beside(dir.path()), ["bulkhead.db"], "{} read-only", unwritable.display());
        }
    }

    #[test]
    fn a_store_a_scan_has_open_is_read_through_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulkhead.db");
        // The scan's connection stays open: its scan is in the log, not yet in the file.
        let writer = one_scan(&path);
        let files = beside(dir.path());
        assert_eq!(files, ["bulkhead.db", "bulkhead.db-shm", "bulkhead.db-wal"]);
        assert_eq!(read_as_history_does(&path).unwrap(), (1, 1));
        {
            let Some(_unwritable) = Unwritable::make(&path) else {
                eprintln!("skipped: nothing here makes {} read-only for this process", path.display());
                return;
            };
            assert_eq!(read_as_history_does(&path).unwrap(), (1, 1), "the scan in the log is read");
            assert_eq!(beside(dir.path()), files);
        }
        drop(writer);
        assert_eq!(beside(dir.path()), ["bulkhead.db"], "the scan's connection, the last, removes its files");
    }

    #[test]
    fn a_reader_writes_nothing_and_says_when_it_cannot_upgrade_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulkhead.db");
        drop(one_scan(&path));
        let mut reader = Store::open_to_read(&path).unwrap();
        assert!(reader.begin(&header("2026-11-02T00:00:00Z", &["a"]), &serde_json::json!({})).is_err());
        drop(reader);

        let old = dir.path().join("old.db");
        let connection = Connection::open(&old).unwrap();
        connection.execute_batch(super::super::MIGRATIONS[0]).unwrap();
        connection
            .execute_batch(&format!(
                "PRAGMA application_id = {}; PRAGMA user_version = 1;",
                super::super::APPLICATION_ID
            ))
            .unwrap();
        drop(connection);
        {
            let Some(_unwritable) = Unwritable::make(&old) else {
                eprintln!("skipped: nothing here makes {} read-only for this process", old.display());
                return;
            };
            let err = Store::open_to_read(&old).unwrap_err();
            assert!(
                matches!(err, StoreError::TooOldToRead { found: 1, known, .. } if known == super::MIGRATIONS.len() as i64),
                "{err}"
            );
        }
        assert_eq!(Store::open_to_read(&old).unwrap().list().unwrap().len(), 0, "where it can, the reader upgrades it");
    }
}
