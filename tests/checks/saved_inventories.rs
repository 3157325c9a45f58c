//! Saved inventories as fixtures: the demo accounts' collection
//! (`tests/fixtures/inventories/demo-v1.json.gz`, written by
//! `bulkhead scan --save-inventory` against `localstack/demo`) evaluated
//! offline by the real binary, every check's verdict counts pinned.
//!
//! When a check's logic changes on purpose, or the demo changes, save a new
//! `demo-v1.json.gz` from `localstack/demo`'s account (`scan --save-inventory`)
//! and regenerate the expected counts;
//! when the inventory's shape changes, this fails to read the file: bump
//! `saved_inventory::SCHEMA_VERSION` and save a new fixture.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

#[test]
fn the_demo_inventory_evaluates_to_its_pinned_verdicts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures/inventories");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("demo-v1.expected.json")).unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(["evaluate", "--quiet", "--output-formats", "json", "--output-dir"])
        .arg(out.path())
        .arg("--inventory")
        .arg(fixtures.join("demo-v1.json.gz"))
        .arg("--config")
        .arg(root.join("localstack/demo-bulkhead.toml"))
        // No AWS anywhere: an evaluation must not need it.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("bulkhead.json")).unwrap()).unwrap();
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for finding in report["findings"].as_array().unwrap() {
        let check = counts
            .entry(finding["check_id"].as_str().unwrap().to_owned())
            .or_insert_with(|| ["PASS", "FAIL", "ERROR"].into_iter().map(|status| (status.to_owned(), 0)).collect());
        *check.get_mut(finding["status"].as_str().unwrap()).unwrap() += 1;
    }
    assert_eq!(serde_json::to_value(&counts).unwrap(), expected["checks"], "verdicts on the demo inventory changed");
    assert_eq!(report["scan"]["stats"]["calls"], 0);
}

/// An inventory saved before bulkhead read images (no `registry_images`, no
/// `runtimePlatform` on task definitions) and ECR's signing configuration
/// still loads: what it has data for is evaluated, and the checks that read
/// images, running tasks, scan findings, load balancers or the signing
/// configuration are skipped, named.
#[test]
fn an_inventory_saved_before_image_configs_still_evaluates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(["evaluate", "--output-formats", "json", "--output-dir"])
        .arg(out.path())
        .arg("--inventory")
        .arg(root.join("tests/fixtures/inventories/demo-v1-before-image-configs.json.gz"))
        .arg("--config")
        .arg(root.join("localstack/demo-bulkhead.toml"))
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("skipping 9 check(s) the saved inventory has no data for"), "{stderr}");
    assert!(stderr.contains("ecs_running_tasks_images_from_trusted_registries (ecs_tasks)"), "{stderr}");
    assert!(stderr.contains("ecs_task_definitions_containers_non_root_user (ecr_image_configs)"), "{stderr}");
    assert!(stderr.contains("ecr_images_signed (ecr_signing_configuration)"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("bulkhead.json")).unwrap()).unwrap();
    let findings = report["findings"].as_array().unwrap();
    // Every check but the 9 skipped ones ran: 51 checks, 820 findings (the
    // 11 of ecr_images_signed are gone).
    assert_eq!(report["scan"]["checks"].as_array().unwrap().len(), 51);
    assert_eq!(findings.len(), 820);
    // Over the 820 findings pinned above: the skipped check ran nowhere.
    assert!(!report["scan"]["checks"].as_array().unwrap().iter().any(|id| id == "ecr_images_signed"));
    assert!(findings.iter().all(|finding| finding["check_id"] != "ecr_images_signed"));
    assert!(findings.iter().all(|finding| !finding["check_id"].as_str().unwrap().contains("_images_no")));
    let privileged = findings.iter().filter(|f| f["check_id"] == "ecs_task_definitions_no_privileged_containers");
    assert_eq!(privileged.count(), 5, "the task definitions it holds are still judged");
}
