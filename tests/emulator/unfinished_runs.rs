//! Runs that do not finish as planned: reports that cannot be written, a
//! process killed at any moment, Ctrl-C or SIGTERM, two runs writing one
//! output set. None of them ever becomes the baseline a later run compares
//! with, and none leaves temporary files for ever.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Account, FaultProxy, bulkhead, endpoint, repo_root};

const CHECK: &str = "ecr_repositories_tag_immutability";

fn scan_command(account: &Account, endpoint: &str, dir: &Path, args: &[&str]) -> Command {
    let mut command = bulkhead();
    command
        .args(["scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--regions", "eu-west-1"])
        .args(["--checks", CHECK, "--output-formats", "json,html", "--output-dir", dir.to_str().unwrap()])
        .args(args)
        .envs(account.env());
    command
}

fn scan(account: &Account, dir: &Path, args: &[&str]) -> Output {
    scan_command(account, &endpoint(), dir, args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `bulkhead history list --format json` of the store.
fn scans(store: &Path) -> Vec<Value> {
    let listed = bulkhead().args(["history", "list", "--store", store.to_str().unwrap(), "--format", "json"]).output();
    let listed = listed.unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    serde_json::from_slice::<Vec<Value>>(&listed.stdout).unwrap()
}

/// A new mutable repository: a FAIL the baseline did not have.
fn add_failing_repository(account: &Account, name: &str) {
    let script = "import boto3, sys\n\
        boto3.client('ecr', region_name='eu-west-1', endpoint_url=sys.argv[1])\
        .create_repository(repositoryName=sys.argv[2], imageTagMutability='MUTABLE')\n";
    let output = Command::new(repo_root().join("localstack/.venv/bin/python"))
        .args(["-c", script, &endpoint(), name])
        .envs(account.env())
        .output()
        .unwrap();
    assert!(output.status.success(), "changing the account: {}", stderr(&output));
}

/// The next run gated on what is new reports the new FAIL: whatever came
/// before it, it is compared with the last scan that completed.
fn assert_the_change_fails_the_gate(account: &Account, dir: &Path, repository: &str) {
    add_failing_repository(account, repository);
    let gated = scan(account, dir, &["--fail-on-new", "low", "--output-name", "gated"]);
    assert_eq!(gated.status.code(), Some(3), "the new FAIL fails the gate: {}", stderr(&gated));
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join("gated.json")).unwrap()).unwrap();
    let new = report["findings"].as_array().unwrap().iter().find(|f| f["resource_id"] == repository);
    assert_eq!(new.unwrap()["failing_since"], report["scan"]["started_at"], "new in this scan");
}

/// Waits until the store shows a `running` scan (the run is collecting).
fn wait_until_recording(store: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(store.exists() && scans(store).iter().any(|scan| scan["state"] == "running")) {
        assert!(child.try_wait().unwrap().is_none(), "the scan ended before it was stopped");
        assert!(Instant::now() < deadline, "the scan never began recording");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn temporary_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".bulkhead-tmp") || name.ends_with(".tmp") || name.ends_with(".lock"))
        .collect()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_run_that_cannot_write_its_reports_never_becomes_the_baseline() {
    let account = Account::seeded("history");
    let dir = tempfile::tempdir().unwrap();
    let first = scan(&account, dir.path(), &[]);
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));

    // A folder where the HTML report goes: the run cannot write it.
    add_failing_repository(&account, "unreported");
    std::fs::remove_file(dir.path().join("bulkhead.html")).unwrap();
    std::fs::create_dir(dir.path().join("bulkhead.html")).unwrap();
    let broken = scan(&account, dir.path(), &["--fail-on-new", "low"]);
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    assert!(stderr(&broken).contains("writing the Html report"), "{}", stderr(&broken));
    let store = dir.path().join("bulkhead.db");
    let listed = scans(&store);
    assert_eq!(listed[0]["state"], "failed", "{listed:#?}");
    assert!(listed[0]["problem"].as_str().unwrap().contains("bulkhead.html"), "{listed:#?}");
    assert_eq!(listed[1]["state"], "complete");

    // The failed run is no baseline: the group it saw first is still new.
    std::fs::remove_dir(dir.path().join("bulkhead.html")).unwrap();
    let next = scan(&account, dir.path(), &["--fail-on-new", "low"]);
    assert_eq!(next.status.code(), Some(3), "the unreported FAIL is still new: {}", stderr(&next));
    assert!(stderr(&next).contains("(scan 1,"), "compared with scan 1: {}", stderr(&next));
}

/// The process is killed 0, 40, 80 ... ms into a scan, each time with its
/// own report name, until one run ends by itself: every scan the store calls
/// complete has its reports, and nothing a killed run left is a baseline.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn runs_killed_at_any_moment_never_leave_a_complete_scan_without_its_reports() {
    let account = Account::seeded("history");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("bulkhead.db");
    let mut ended_by_itself = false;
    for step in 0..100u64 {
        let name = format!("run-{step}");
        let mut child = scan_command(&account, &endpoint(), dir.path(), &["--output-name", &name])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 * step));
        if child.try_wait().unwrap().is_some() {
            ended_by_itself = true;
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        if !store.exists() {
            continue;
        }
        for scan in scans(&store).iter().filter(|scan| scan["state"] == "complete") {
            let reported = (0..=step).any(|run| {
                let path = dir.path().join(format!("run-{run}.json"));
                let report: Option<Value> =
                    std::fs::read(path).ok().and_then(|text| serde_json::from_slice(&text).ok());
                report.is_some_and(|report| report["scan"]["started_at"] == scan["started_at"])
                    && dir.path().join(format!("run-{run}.html")).exists()
            });
            assert!(reported, "killed {step} x 40 ms in: complete scan {} has no reports", scan["id"]);
        }
    }
    assert!(ended_by_itself, "no run ended by itself within the loop");
    assert_the_change_fails_the_gate(&account, dir.path(), "added-after-the-kills");
    assert_eq!(temporary_files(dir.path()), Vec::<String>::new(), "what the killed runs left is cleared");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_signal_ends_the_scan_as_interrupted() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let account = Account::seeded("history");
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("bulkhead.db");
        // Every call in eu-west-1 hangs: the scan is collecting when the signal comes.
        let proxy = FaultProxy::start(&["--stall", "*@eu-west-1"]);
        let mut child =
            scan_command(&account, &proxy.endpoint, dir.path(), &[]).stderr(Stdio::piped()).spawn().unwrap();
        wait_until_recording(&store, &mut child);
        let started = Instant::now();
        let sent = Command::new("kill").args([format!("-{signal}"), child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let output = child.wait_with_output().unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "it stops at once: {:?}", started.elapsed());
        assert_eq!(output.status.code(), Some(code), "SIG{signal}: {}", stderr(&output));
        let said = stderr(&output);
        assert!(said.contains(&format!("bulkhead: interrupted by SIG{signal}")), "{said}");
        assert!(said.contains("recorded as interrupted in the store"), "{said}");
        let listed = scans(&store);
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (&listed[0]["state"], &listed[0]["problem"]),
            (&"interrupted".into(), &format!("interrupted by SIG{signal}").into())
        );
        drop(proxy);
        assert_the_change_fails_the_gate(&account, dir.path(), "added-after-the-signal");
        let gated = scans(&store);
        assert_eq!(gated[0]["state"], "complete", "{gated:#?}");
    }
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn two_runs_never_write_one_output_set_at_once() {
    let account = Account::seeded("history");
    let dir = tempfile::tempdir().unwrap();
    let proxy = FaultProxy::start(&["--stall", "*@eu-west-1"]);
    let store = dir.path().join("bulkhead.db");
    let mut first = scan_command(&account, &proxy.endpoint, dir.path(), &[]).stderr(Stdio::null()).spawn().unwrap();
    wait_until_recording(&store, &mut first);
    let second = scan(&account, dir.path(), &["--store", dir.path().join("other.db").to_str().unwrap()]);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(stderr(&second).contains("another bulkhead is writing bulkhead.* in"), "{}", stderr(&second));
    // Another name in the same folder is another set.
    let other =
        scan(&account, dir.path(), &["--output-name", "other", "--store", dir.path().join("o.db").to_str().unwrap()]);
    assert_eq!(other.status.code(), Some(3), "{}", stderr(&other));
    first.kill().unwrap();
    first.wait().unwrap();
    drop(proxy);
    let after = scan(&account, dir.path(), &[]);
    assert_eq!(after.status.code(), Some(3), "the set is free again: {}", stderr(&after));

    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let not_a_folder = scan(&account, &file, &[]);
    assert_eq!(not_a_folder.status.code(), Some(2), "{}", stderr(&not_a_folder));
    assert!(stderr(&not_a_folder).contains("is a file, not a folder"), "{}", stderr(&not_a_folder));
}
