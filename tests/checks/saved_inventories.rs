//! Saved inventories as fixtures: the demo accounts' collection
//! (`tests/fixtures/inventories/demo-v1.json.gz`, written by
//! `bulkhead scan --save-inventory` against `localstack/demo`) evaluated
//! offline by the real binary, every check's verdict counts pinned in a
//! snapshot file beside it (`*.expected.json`, see `snapshot`).
//!
//! When a check is added or its logic changes on purpose, run
//! `tests/update-snapshots` and review the counts it rewrites; when the demo
//! changes, save a new `demo-v1.json.gz` from `localstack/demo`'s account
//! (`scan --save-inventory`) first. When the inventory's shape changes, this
//! fails to read the file: bump `saved_inventory::SCHEMA_VERSION` and save a
//! new fixture.

use std::collections::BTreeMap;
use std::process::Command;

use serde::Serialize;
use serde_json::Value;

use crate::snapshot::{assert_snapshot, root};

const CONFIG: &str = "localstack/demo-bulkhead.toml";

/// One check's findings by status.
#[derive(Debug, Default, Serialize)]
struct Counts {
    #[serde(rename = "PASS")]
    pass: u64,
    #[serde(rename = "FAIL")]
    fail: u64,
    #[serde(rename = "ERROR")]
    error: u64,
}

/// `bulkhead evaluate` of a saved inventory (under tests/fixtures/inventories):
/// its JSON report and its stderr.
fn evaluate(inventory: &str, quiet: bool) -> (Value, String) {
    let out = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bulkhead"));
    command.arg("evaluate");
    if quiet {
        command.arg("--quiet");
    }
    let output = command
        .args(["--output-formats", "json", "--output-dir"])
        .arg(out.path())
        .arg("--inventory")
        .arg(root().join("tests/fixtures/inventories").join(inventory))
        .arg("--config")
        .arg(root().join(CONFIG))
        // No AWS anywhere: an evaluation must not need it.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let report = serde_json::from_str(&std::fs::read_to_string(out.path().join("bulkhead.json")).unwrap()).unwrap();
    (report, stderr)
}

/// Every check that ran (none left out for having no finding), with its counts.
fn counts(report: &Value) -> BTreeMap<String, Counts> {
    let mut counts: BTreeMap<String, Counts> = report["scan"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| (id.as_str().unwrap().to_owned(), Counts::default()))
        .collect();
    for finding in report["findings"].as_array().unwrap() {
        let check = counts.get_mut(finding["check_id"].as_str().unwrap()).expect("a finding of a check that ran");
        match finding["status"].as_str().unwrap() {
            "PASS" => check.pass += 1,
            "FAIL" => check.fail += 1,
            "ERROR" => check.error += 1,
            other => panic!("status {other}"),
        }
    }
    counts
}

fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap() + "\n"
}

#[test]
fn the_demo_inventory_evaluates_to_its_pinned_verdicts() {
    #[derive(Serialize)]
    struct Pinned {
        inventory: &'static str,
        config: &'static str,
        checks: BTreeMap<String, Counts>,
    }
    let (report, _) = evaluate("demo-v1.json.gz", true);
    assert_eq!(report["scan"]["stats"]["calls"], 0);
    let pinned = Pinned { inventory: "demo-v1.json.gz", config: CONFIG, checks: counts(&report) };
    assert_snapshot("tests/fixtures/inventories/demo-v1.expected.json", &pretty(&pinned));
}

/// An inventory saved before bulkhead read images (no `registry_images`, no
/// `runtimePlatform` on task definitions) and ECR's signing configuration
/// still loads: what it has data for is evaluated, and the checks that read
/// images, running tasks, scan findings, load balancers or the signing
/// configuration are skipped, named. Which ones, how many checks ran and
/// what they found is pinned in `demo-v1-before-image-configs.expected.json`.
#[test]
fn an_inventory_saved_before_image_configs_still_evaluates() {
    #[derive(Serialize)]
    struct Pinned {
        inventory: &'static str,
        config: &'static str,
        /// What was skipped, with the kinds of inventory it lacked.
        skipped: Vec<String>,
        /// How many checks ran, and their findings.
        checks_run: usize,
        findings: usize,
        checks: BTreeMap<String, Counts>,
    }
    let inventory = "demo-v1-before-image-configs.json.gz";
    let (report, stderr) = evaluate(inventory, false);
    assert!(stderr.contains("ecs_running_tasks_images_from_trusted_registries (ecs_tasks)"), "{stderr}");
    assert!(stderr.contains("ecs_task_definitions_containers_non_root_user (ecr_image_configs)"), "{stderr}");
    assert!(stderr.contains("ecr_images_signed (ecr_signing_configuration)"), "{stderr}");
    let skipped = stderr
        .lines()
        .find_map(|line| line.strip_prefix("bulkhead: skipping "))
        .and_then(|line| line.split_once(": "))
        .map(|(_, checks)| checks.split("; ").map(str::to_owned).collect())
        .unwrap_or_else(|| panic!("no check skipped: {stderr}"));
    let findings = report["findings"].as_array().unwrap();
    let checks = counts(&report);
    // The skipped checks ran nowhere.
    assert!(!checks.contains_key("ecr_images_signed"));
    assert!(findings.iter().all(|finding| finding["check_id"] != "ecr_images_signed"));
    assert!(findings.iter().all(|finding| !finding["check_id"].as_str().unwrap().contains("_images_no")));
    let privileged = findings.iter().filter(|f| f["check_id"] == "ecs_task_definitions_no_privileged_containers");
    assert_eq!(privileged.count(), 5, "the task definitions it holds are still judged");
    let pinned =
        Pinned { inventory, config: CONFIG, skipped, checks_run: checks.len(), findings: findings.len(), checks };
    assert_snapshot(
        &format!("tests/fixtures/inventories/{}", inventory.replace(".json.gz", ".expected.json")),
        &pretty(&pinned),
    );
}
