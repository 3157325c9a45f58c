//! The scan store end to end: two scans of an account that changed in
//! between, `diff`, the report's changes section, `--fail-on-new`, saved
//! inventories, and a store that is shared, corrupt, newer or killed.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::reports::{artifacts, assert_accessible, browser_check};
use crate::support::{Account, FaultProxy, bulkhead, endpoint, repo_root};

const CHECK: &str = "ecr_repositories_tag_immutability";

fn scan(account: &Account, dir: &Path, args: &[&str]) -> Output {
    scan_through(account, &endpoint(), dir, args)
}

fn scan_through(account: &Account, endpoint: &str, dir: &Path, args: &[&str]) -> Output {
    bulkhead()
        .args(["scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--regions", "eu-west-1"])
        .args(["--checks", CHECK, "--output-formats", "json,html", "--output-dir", dir.to_str().unwrap()])
        .args(args)
        .envs(account.env())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn run(args: &[&str]) -> Output {
    bulkhead().args(args).output().unwrap()
}

/// Changes the account with boto3 as its owner would.
fn change_account(account: &Account, script: &str) {
    let prelude = "import boto3, os, sys\n\
        ecr = boto3.client('ecr', region_name='eu-west-1', endpoint_url=sys.argv[1])\n";
    let output = Command::new(repo_root().join("localstack/.venv/bin/python"))
        .args(["-c", &format!("{prelude}{script}"), &endpoint()])
        .envs(account.env())
        .output()
        .unwrap();
    assert!(output.status.success(), "changing the account: {}", String::from_utf8_lossy(&output.stderr));
}

fn resources(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        list.as_array().unwrap().iter().map(|entry| entry["resource_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("bulkhead.json")).unwrap()).unwrap()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn drift_between_two_scans_shows_exactly_what_changed() {
    let account = Account::seeded("history");
    let dir = tempfile::tempdir().unwrap();
    let first = scan(&account, dir.path(), &[]);
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    let first_started = report(dir.path())["scan"]["started_at"].as_str().unwrap().to_owned();

    change_account(
        &account,
        "ecr.put_image_tag_mutability(repositoryName='will-be-fixed', imageTagMutability='IMMUTABLE')\n\
         ecr.put_image_tag_mutability(repositoryName='will-break', imageTagMutability='MUTABLE')\n\
         ecr.delete_repository(repositoryName='will-be-deleted', force=True)\n\
         ecr.create_repository(repositoryName='added-later')\n",
    );
    let second = scan(&account, dir.path(), &[]);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("1 unmuted FAIL(s) were already failing in the baseline (scan 1"),
        "{}",
        stderr(&second)
    );

    let store = dir.path().join("bulkhead.db");
    let diff = run(&["diff", "--store", store.to_str().unwrap(), "--format", "json"]);
    assert!(diff.status.success(), "{}", stderr(&diff));
    let changes: Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(changes["diff_schema_version"], 1);
    assert_eq!((changes["base"]["id"].as_i64(), changes["new"]["id"].as_i64()), (Some(1), Some(2)));
    assert_eq!(resources(&changes["new_failures"]), ["added-later", "will-break"]);
    assert_eq!(resources(&changes["resolved_failures"]), ["will-be-deleted", "will-be-fixed"]);
    assert_eq!(resources(&changes["still_failing"]), ["stays-failing"]);
    assert_eq!(changes["still_failing"][0]["failing_since"], first_started.as_str());
    assert_eq!(changes["still_failing"][0]["age_days"], 0);
    assert_eq!(resources(&changes["resources_appeared"]), ["added-later"]);
    assert_eq!(resources(&changes["resources_disappeared"]), ["will-be-deleted"]);
    for list in ["new_errors", "resolved_errors", "checks_added", "checks_removed"] {
        assert_eq!(changes[list], serde_json::json!([]), "{list}");
    }
    let fixed = changes["resolved_failures"].as_array().unwrap().iter().find(|e| e["resource_id"] == "will-be-fixed");
    assert_eq!(fixed.unwrap()["resolution"], "passes now");

    // The same from the two JSON reports, and as text.
    let text = run(&["diff", "--store", store.to_str().unwrap()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("2 new FAIL, 2 resolved FAIL, 1 still failing"), "{text}");

    // The report carries the dates, and its HTML the section, each entry linked.
    let now = report(dir.path());
    let stays = now["findings"].as_array().unwrap().iter().find(|f| f["resource_id"] == "stays-failing").unwrap();
    assert_eq!(stays["failing_since"], first_started.as_str());
    let html = std::fs::read_to_string(dir.path().join("bulkhead.html")).unwrap();
    assert!(html.contains("Changes since scan 1"), "no changes section");
    for id in [
        "changes-new-fail",
        "changes-resolved-fail",
        "changes-still-failing",
        "changes-appeared",
        "changes-disappeared",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("failing since "), "FAIL rows show their date");
    assert!(html.contains("<svg class=\"spark\""), "trends are drawn");
    let browsed = browser_check(&dir.path().join("bulkhead.html"), &artifacts().join("report-history.png"), &[], true);
    assert_eq!(browsed["requests"], serde_json::json!([]), "{browsed}");
    assert_eq!(browsed["pageErrors"], serde_json::json!([]), "{browsed}");
    assert_accessible(&browsed, "the report with changes and trends");

    // The gate: against scan 1 the two new FAILs fail it; against scan 2
    // (or its report) nothing is new.
    let gate = scan(&account, dir.path(), &["--no-store", "--baseline", "1", "--fail-on-new", "medium"]);
    assert_eq!(gate.status.code(), Some(3), "{}", stderr(&gate));
    let gate = scan(&account, dir.path(), &["--no-store", "--baseline", "2", "--fail-on-new", "medium"]);
    assert_eq!(gate.status.code(), Some(0), "{}", stderr(&gate));
    assert!(
        stderr(&gate).contains("3 unmuted FAIL(s) were already failing in the baseline (scan 2"),
        "{}",
        stderr(&gate)
    );
    let saved_report = tempfile::NamedTempFile::new().unwrap();
    std::fs::copy(dir.path().join("bulkhead.json"), saved_report.path()).unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let gate = scan(
        &account,
        other_dir.path(),
        &["--baseline", saved_report.path().to_str().unwrap(), "--fail-on-new", "low"],
    );
    assert_eq!(gate.status.code(), Some(0), "{}", stderr(&gate));
    // Only FAILs at or above the severity count: medium is below high.
    let gate = scan(&account, dir.path(), &["--no-store", "--baseline", "1", "--fail-on-new", "high"]);
    assert_eq!(gate.status.code(), Some(0), "{}", stderr(&gate));

    let listed = run(&["history", "list", "--store", store.to_str().unwrap(), "--format", "json"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2, "--no-store scans are not recorded: {listed}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_evaluated_saved_inventory_gives_the_scans_findings() {
    let account = Account::seeded_from(&repo_root().join("localstack/demo-account.yaml"));
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inventory.json.gz");
    let scanned = bulkhead()
        .args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1", "--regions", crate::support::REGIONS])
        .args(["--output-dir", dir.path().join("scan").to_str().unwrap(), "--save-inventory"])
        .arg(&inventory)
        .envs(account.env())
        .output()
        .unwrap();
    assert_eq!(scanned.status.code(), Some(3), "{}", stderr(&scanned));
    // No credentials, no endpoint: nothing could reach AWS.
    let evaluated = run(&[
        "evaluate",
        "--inventory",
        inventory.to_str().unwrap(),
        "--output-dir",
        dir.path().join("eval").to_str().unwrap(),
    ]);
    assert_eq!(evaluated.status.code(), Some(3), "{}", stderr(&evaluated));
    let scan_report = report(&dir.path().join("scan"));
    let eval_report = report(&dir.path().join("eval"));
    let sorted = |report: &Value| -> Vec<String> {
        let mut findings: Vec<String> = report["findings"].as_array().unwrap().iter().map(Value::to_string).collect();
        findings.sort();
        findings
    };
    assert!(!sorted(&scan_report).is_empty());
    assert_eq!(sorted(&scan_report), sorted(&eval_report), "evaluate must give the scan's findings");
    assert_eq!(scan_report["scan"]["errors"], eval_report["scan"]["errors"]);
    assert_eq!(eval_report["scan"]["stats"]["calls"], 0);

    // A check whose data the inventory lacks is refused by name when asked for.
    let narrow = dir.path().join("narrow.json.gz");
    let scanned = bulkhead()
        .args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1", "--regions", "eu-west-1"])
        .args(["--checks", CHECK, "--no-store", "--output-dir", dir.path().join("narrow").to_str().unwrap()])
        .arg("--save-inventory")
        .arg(&narrow)
        .envs(account.env())
        .output()
        .unwrap();
    assert_eq!(scanned.status.code(), Some(3), "{}", stderr(&scanned));
    let refused = run(&["evaluate", "--inventory", narrow.to_str().unwrap(), "--checks", "iam_root_mfa_enabled"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("iam_root_mfa_enabled ("), "{}", stderr(&refused));
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_corrupt_or_newer_store_is_a_clear_error_and_the_reports_still_appear() {
    let account = Account::seeded("history");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("bulkhead.db");
    std::fs::write(&store, "SQLite format 3\0 but then garbage that no database has ".repeat(100)).unwrap();
    let corrupt = scan(&account, dir.path(), &[]);
    assert_eq!(corrupt.status.code(), Some(1), "{}", stderr(&corrupt));
    assert!(stderr(&corrupt).contains("is not a bulkhead scan store, or it is damaged"), "{}", stderr(&corrupt));
    assert!(stderr(&corrupt).contains("the reports are written"), "{}", stderr(&corrupt));
    assert!(dir.path().join("bulkhead.json").exists() && dir.path().join("bulkhead.html").exists());

    std::fs::remove_file(&store).unwrap();
    assert_eq!(scan(&account, dir.path(), &[]).status.code(), Some(3));
    let python = repo_root().join("localstack/.venv/bin/python");
    let bumped = Command::new(python)
        .args([
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version = 7'); c.commit()",
        ])
        .arg(&store)
        .status()
        .unwrap();
    assert!(bumped.success());
    std::fs::remove_file(dir.path().join("bulkhead.json")).unwrap();
    let newer = scan(&account, dir.path(), &[]);
    assert_eq!(newer.status.code(), Some(1), "{}", stderr(&newer));
    assert!(stderr(&newer).contains("has schema version 7, newer than this bulkhead knows (3)"), "{}", stderr(&newer));
    assert!(dir.path().join("bulkhead.json").exists());

    // A previous scan the store cannot give back is an error, not "no history".
    std::fs::remove_file(&store).unwrap();
    assert_eq!(scan(&account, dir.path(), &[]).status.code(), Some(3));
    let broken = Command::new(repo_root().join("localstack/.venv/bin/python"))
        .args(["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE scans SET regions = 'not json'\"); c.commit()"])
        .arg(&store)
        .status()
        .unwrap();
    assert!(broken.success());
    let unreadable = scan(&account, dir.path(), &[]);
    assert_eq!(unreadable.status.code(), Some(1), "{}", stderr(&unreadable));
    assert!(stderr(&unreadable).contains("has unreadable regions"), "{}", stderr(&unreadable));
    assert!(stderr(&unreadable).contains("the reports are written"), "{}", stderr(&unreadable));

    // A baseline that cannot be read stops the scan before any AWS call.
    let missing = scan(&account, dir.path(), &["--baseline", "/nonexistent/report.json"]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("baseline: cannot read report /nonexistent/report.json"), "{}", stderr(&missing));
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn two_scans_on_one_store_at_once_both_land() {
    let account = Account::seeded("history");
    let store = tempfile::tempdir().unwrap();
    let store_path = store.path().join("shared.db");
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let children: Vec<_> = dirs
        .iter()
        .map(|dir| {
            bulkhead()
                .args([
                    "scan",
                    "--endpoint-url",
                    &endpoint(),
                    "--region",
                    "us-east-1",
                    "--regions",
                    crate::support::REGIONS,
                ])
                .args(["--output-dir", dir.path().to_str().unwrap(), "--store", store_path.to_str().unwrap()])
                .envs(account.env())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    }
    let listed = run(&["history", "list", "--store", store_path.to_str().unwrap(), "--format", "json"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let scans = listed.as_array().unwrap();
    assert_eq!(scans.len(), 2, "{listed}");
    assert_eq!(scans[0]["fail"], scans[1]["fail"], "{listed}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_killed_scan_leaves_no_partial_scan() {
    let account = Account::seeded("history");
    let dir = tempfile::tempdir().unwrap();
    // Every call in eu-west-1 hangs, so the scan is still collecting when killed.
    let proxy = FaultProxy::start(&["--stall", "*@eu-west-1"]);
    let mut child = bulkhead()
        .args(["scan", "--endpoint-url", &proxy.endpoint, "--region", "us-east-1", "--regions", "eu-west-1"])
        .args(["--checks", CHECK, "--output-dir", dir.path().to_str().unwrap()])
        .envs(account.env())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let store = dir.path().join("bulkhead.db");
    let python = repo_root().join("localstack/.venv/bin/python");
    let running = || -> String {
        let output = Command::new(&python)
            .args(["-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT group_concat(state) FROM scans\").fetchone()[0])"])
            .arg(&store)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !(store.exists() && running() == "running") {
        assert!(std::time::Instant::now() < deadline, "the scan never began recording");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(running(), "running", "the killed scan's row is there, and not complete");
    let listed = run(&["history", "list", "--store", store.to_str().unwrap(), "--format", "json"]);
    let listed: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.len(), 1, "listed, as what it is: {listed:#?}");
    assert_eq!(listed[0]["state"], "running");
    let diff = run(&["diff", "--store", store.to_str().unwrap()]);
    assert!(stderr(&diff).contains("no complete scan yet"), "{}", stderr(&diff));
    drop(proxy);

    // The next scan has no baseline: nothing of the dead one is compared.
    let next = scan(&account, dir.path(), &[]);
    assert_eq!(next.status.code(), Some(3), "{}", stderr(&next));
    assert!(!stderr(&next).contains("already failing in the baseline"), "{}", stderr(&next));
    let next_report = report(dir.path());
    let fails: Vec<&Value> =
        next_report["findings"].as_array().unwrap().iter().filter(|f| f["status"] == "FAIL").collect();
    assert_eq!(fails.len(), 3, "the fixture's three mutable repositories fail");
    assert!(fails.iter().all(|f| f["failing_since"] == next_report["scan"]["started_at"]), "{fails:?}");
}
