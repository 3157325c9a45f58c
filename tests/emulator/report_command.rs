//! `bulkhead report`: a stored scan's reports written again. On the demo
//! account: every format as the scan wrote it (the HTML but for its CSP
//! nonce); the second scan's report with its own changes since the first;
//! a scan recorded before the store kept whole reports refused, saying why.

use std::path::Path;
use std::process::Output;

use crate::reports::scan_into_store;
use crate::support::{Account, bulkhead, repo_root};

const FORMATS: &str = "json,html,ocsf,junit,sarif,csv,asff,compliance";

fn report(store: &Path, dir: &Path, scan: &str) -> Output {
    bulkhead()
        .args(["report", scan, "--store", store.to_str().unwrap(), "--output-formats", FORMATS])
        .args(["--output-dir", dir.to_str().unwrap()])
        .output()
        .unwrap()
}

/// The files of `dir`, by path under it, the HTML's nonce blanked.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in walk(dir) {
        let name = entry.strip_prefix(dir).unwrap().display().to_string();
        if name.ends_with(".db") || name.contains(".db-") || name.starts_with('.') {
            continue;
        }
        let mut text = std::fs::read_to_string(&entry).unwrap();
        if name.ends_with(".html") {
            let nonce = text.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
            text = text.replace(&nonce, "NONCE");
        }
        files.push((name, text));
    }
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { found.extend(walk(&path)) } else { found.push(path) }
    }
    found
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_stored_scan_is_written_again_as_the_scan_wrote_it() {
    let account = Account::seeded_from(&repo_root().join("localstack/demo-account.yaml"));
    let scans = tempfile::tempdir().unwrap();
    let store = scans.path().join("store.db");
    let first = scans.path().join("first");
    let second = scans.path().join("second");
    scan_into_store(&account, &first, &store, FORMATS);
    scan_into_store(&account, &second, &store, FORMATS);

    // The latest scan, and the first, each as it was written.
    for (scan, written) in [("latest", &second), ("1", &first)] {
        let again = tempfile::tempdir().unwrap();
        let output = report(&store, again.path(), scan);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let (before, after) = (files(written), files(again.path()));
        assert_eq!(
            before.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            after.iter().map(|(name, _)| name).collect::<Vec<_>>()
        );
        for ((name, before), (_, after)) in before.iter().zip(&after) {
            assert!(before == after, "{name} of scan {scan} differs when written again");
        }
    }
    let html = std::fs::read_to_string(second.join("bulkhead.html")).unwrap();
    assert!(html.contains("Changes since scan 1"), "the second scan's report has its changes");

    // A scan of a store from before whole reports were kept: refused, saying why.
    let connection = rusqlite::Connection::open(&store).unwrap();
    connection.execute("UPDATE scans SET report = NULL WHERE id = 1", []).unwrap();
    drop(connection);
    let refused = tempfile::tempdir().unwrap();
    let output = report(&store, refused.path(), "1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("before the store kept whole reports"), "{stderr}");
    assert!(!refused.path().join("bulkhead.json").exists(), "no report that differs");
    let output = report(&store, refused.path(), "7");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no complete scan with id 7"));
}
