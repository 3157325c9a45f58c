//! Faults between bulkhead and AWS (throttling, 5xx, connection resets,
//! denial, a stalled region), injected by `localstack/faultproxy.py`: a
//! verdict is either right or ERROR, never a PASS made of missing data.

use std::collections::BTreeSet;
use std::path::Path;
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::call_stats::calls_by_operation;
use crate::support::{Account, FaultProxy, Scan, bulkhead, repo_root, text};

fn demo_account() -> Account {
    Account::seeded_from(&repo_root().join("localstack/demo-account.yaml"))
}

/// The findings in a stable order, whole: ids, statuses, resources, messages.
/// The findings, sorted, without `failing_since`: each of these scans is
/// the first in its own store, so that is each scan's own start.
pub fn sorted_findings(scan: &Scan) -> Vec<Value> {
    let mut findings = scan.report["findings"].as_array().unwrap().clone();
    for finding in &mut findings {
        finding.as_object_mut().unwrap().remove("failing_since");
    }
    findings.sort_by_key(|finding| finding.to_string());
    findings
}

fn findings_where(scan: &Scan, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    sorted_findings(scan).into_iter().filter(|finding| keep(finding)).collect()
}

/// Findings in one list and not in the other, either way.
fn differing_findings(a: &[Value], b: &[Value]) -> usize {
    let a: BTreeSet<String> = a.iter().map(Value::to_string).collect();
    let b: BTreeSet<String> = b.iter().map(Value::to_string).collect();
    a.symmetric_difference(&b).count()
}

const MIX: [&str; 8] = ["--throttle", "0.20", "--server-error", "0.05", "--reset", "0.02", "--latency-ms", "2"];

/// 20% throttling, 5% 5xx and 2% connection resets change no finding, over
/// eight seeds in the standard retry mode (the default) scanned side by
/// side; one run in adaptive mode shows that it recovers too, only slower.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn throttling_errors_and_resets_change_no_finding() {
    let account = demo_account();
    let clean = account.scan(&[]);
    assert_eq!(clean.exit_code, 3, "the demo account has FAILs: {}", clean.stderr);
    let expected = sorted_findings(&clean);
    assert!(expected.len() > 50, "the demo account gives many findings");

    // Nine scans at once, at the default attempts: the machine is loaded as
    // a busy CI host is, and every verdict must still be there.
    let runs: Vec<(u64, &str)> = (1..=8).map(|seed| (seed, "standard")).chain([(4, "adaptive")]).collect();
    let results: Vec<_> = thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|&(seed, mode)| {
                let account = &account;
                scope.spawn(move || {
                    let proxy = FaultProxy::start(&[&["--seed", &seed.to_string()], &MIX[..]].concat());
                    let scan = account.scan_through(&proxy.endpoint, &["--retry-mode", mode]);
                    (seed, mode, scan, proxy.faults())
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().unwrap()).collect()
    });

    let mut injected = 0;
    for (seed, mode, scan, faults) in &results {
        let differing = differing_findings(&sorted_findings(scan), &expected);
        eprintln!(
            "faults: seed {seed} {mode}: {faults:?}, {:.1} s, exit {}, {differing} differing findings",
            scan.elapsed.as_secs_f64(),
            scan.exit_code
        );
        assert_eq!(differing, 0, "seed {seed} ({mode}) changed findings:\n{}", scan.stderr);
        assert_eq!(scan.exit_code, clean.exit_code, "seed {seed} ({mode}): {}", scan.stderr);
        assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "seed {seed}: {}", scan.report["scan"]);
        // The ledger saw every fault: each cost one retry, and faults change no call.
        let stats = &scan.report["scan"]["stats"];
        assert_eq!(stats["throttles"].as_u64(), Some(faults.get("throttle").copied().unwrap_or(0)), "seed {seed}");
        assert_eq!(stats["retries"].as_u64(), Some(faults.values().sum::<u64>()), "seed {seed}: {faults:?}");
        assert_eq!(calls_by_operation(&scan.report), calls_by_operation(&clean.report), "seed {seed}");
        injected += faults.values().sum::<u64>();
    }
    assert!(injected >= 20, "the proxy injected only {injected} faults in {} scans", results.len());
}

/// Denied ECR: every ECR check is ERROR with the reason, nothing of ECR
/// passes, every other finding is what a clean scan gives.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn access_denied_on_ecr_is_error_for_ecr_only() {
    let account = demo_account();
    let clean = account.scan(&[]);
    let proxy = FaultProxy::start(&["--deny", "ecr"]);
    let scan = account.scan_through(&proxy.endpoint, &[]);

    // Its FAILs pass the gate: a certain failure wins over the incomplete scan.
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    let is_ecr = |finding: &Value| finding["service"] == "ecr";
    // Judged per image the task definitions name, not per region: their ERRORs are counted apart.
    let per_image = [
        "ecr_images_internet_exposed_no_vulnerabilities",
        "ecr_images_no_secrets_in_layers",
        "ecr_images_base_os_supported",
    ];
    let is_per_image = |id: &str| per_image.contains(&id);
    let ecr = findings_where(&scan, |finding| is_ecr(finding) && !is_per_image(&text(&finding["check_id"])));
    let ecr_checks = scan.report["scan"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|id| text(id).starts_with("ecr_") && !is_per_image(&text(id)))
        .count();
    assert!(ecr_checks >= 2);
    assert_eq!(ecr.len(), ecr_checks * 3, "one ERROR per ECR check and region: {ecr:#?}");
    let images = findings_where(&scan, |finding| finding["check_id"] == per_image[0]);
    // Unresolved, the images the demo's task definitions name by tag (2025.01.2,
    // builder-2016) stay apart from the two digests its tasks run (one of them pinned).
    assert_eq!(images.len(), 4, "{images:#?}");
    // The layer checks: an image whose manifest could not be read is ERROR.
    let layers = findings_where(&scan, |finding| {
        is_per_image(&text(&finding["check_id"])) && finding["check_id"] != per_image[0]
    });
    assert!(!layers.is_empty());
    for finding in ecr.iter().chain(&images).chain(&layers) {
        assert_eq!(finding["status"], "ERROR", "{finding}");
        let message = text(&finding["message"]);
        assert!(message.contains("AccessDeniedException"), "{message}");
    }
    // The ECS checks that read images from ECR (through BatchGetImage and
    // GetDownloadUrlForLayer, or the repositories' listings for what running
    // tasks run) are ERROR where an image decides, else as before.
    let reads_images = |finding: &Value| {
        let id = text(&finding["check_id"]);
        id == "ecs_task_definitions_containers_non_root_user"
            || id.starts_with("ecs_task_definitions_images_no")
            || id == "ecs_task_definitions_images_not_outdated"
            || id == "ecs_task_definitions_images_signed"
            || id == "ecs_running_tasks_images_match_task_definition"
            || id == "ecs_running_tasks_images_signed"
    };
    let unaffected = |f: &Value| !is_ecr(f) && !reads_images(f);
    assert_eq!(findings_where(&scan, unaffected), findings_where(&clean, unaffected));
    let clean_reads = findings_where(&clean, reads_images);
    let denied_reads = findings_where(&scan, reads_images);
    assert!(denied_reads.iter().any(|finding| finding["status"] == "ERROR"), "{denied_reads:#?}");
    for finding in &denied_reads {
        let as_before = clean_reads.contains(finding);
        let denied = finding["status"] == "ERROR" && text(&finding["message"]).contains("AccessDeniedException");
        assert!(as_before || denied, "{finding}");
    }

    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    let regions: BTreeSet<String> = errors.iter().map(|error| text(&error["region"])).collect();
    assert_eq!(regions.len(), 3, "{errors:#?}");
    for error in errors {
        assert_eq!((error["service"].as_str(), error["kind"].as_str()), (Some("ecr"), Some("access_denied")));
    }
    assert!(proxy.stats()["deny"] >= 3);

    // Denied further down (the policy of each repository): ERROR per repository.
    let proxy = FaultProxy::start(&["--deny", "ecr:GetRepositoryPolicy"]);
    let scan = account.scan_through(&proxy.endpoint, &["--checks", "ecr_repositories_not_publicly_accessible"]);
    assert_eq!(scan.exit_code, 4, "{}", scan.stderr);
    let repositories = findings_where(&clean, |f| f["check_id"] == "ecr_repositories_not_publicly_accessible");
    let denied = scan.findings("ecr_repositories_not_publicly_accessible");
    assert_eq!(denied.len(), repositories.len());
    assert!(
        denied.iter().all(|f| f["status"] == "ERROR" && text(&f["message"]).contains("AccessDenied")),
        "{denied:#?}"
    );
}

/// The checks that judge task definitions one by one.
const TASK_DEFINITION_CHECKS: [&str; 10] = [
    "ecs_task_definitions_no_privileged_containers",
    "ecs_task_definitions_host_namespace_not_shared",
    "ecs_task_definitions_host_networking_mode_users",
    "ecs_task_definitions_containers_readonly_access",
    "ecs_task_definitions_containers_non_root_user",
    "ecs_task_definitions_logging_enabled",
    "ecs_task_definitions_logging_block_mode",
    "ecs_task_definitions_no_environment_secrets",
    "ecs_task_definitions_images_pinned_by_digest",
    "ecs_task_definitions_images_from_trusted_registries",
];
/// Has no verdict on a definition whose containers do not log (the clean
/// scan gives it no row there), while a definition that could not be read
/// is ERROR for it as for every check.
const NOT_ALWAYS_APPLICABLE: &str = "ecs_task_definitions_logging_block_mode";

/// `(check, resource_id, resource_arn)` of every finding about a task definition.
fn task_definition_identities(scan: &Scan) -> BTreeSet<(String, String, String)> {
    scan.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| text(&finding["resource_arn"]).contains(":task-definition/"))
        .map(|finding| (text(&finding["check_id"]), text(&finding["resource_id"]), text(&finding["resource_arn"])))
        .collect()
}

/// A denied `DescribeTaskDefinition` changes no task definition's identity:
/// each is ERROR under the revision the clean scan judged it as
/// (`family:revision` and its ARN, not the family's), so `diff` sees no
/// resource appear or disappear.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_denied_task_definition_keeps_the_identity_of_its_revision() {
    let account = Account::seeded("ecs");
    let checks = TASK_DEFINITION_CHECKS.join(",");
    let clean = account.scan(&["--checks", &checks]);
    assert!(clean.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", clean.report["scan"]["errors"]);
    let proxy = FaultProxy::start(&["--deny", "ecs:DescribeTaskDefinition"]);
    let denied = account.scan_through(&proxy.endpoint, &["--checks", &checks]);
    assert_eq!(denied.exit_code, 4, "{}", denied.stderr);
    assert!(proxy.stats()["deny"] >= 7, "{:?}", proxy.stats());

    let before = task_definition_identities(&clean);
    let after = task_definition_identities(&denied);
    let resources = |identities: &BTreeSet<(String, String, String)>| -> BTreeSet<(String, String)> {
        identities.iter().map(|(_, id, arn)| (id.clone(), arn.clone())).collect()
    };
    assert_eq!(resources(&after), resources(&before), "the same task definitions, named the same");
    assert!(!resources(&before).is_empty(), "the clean scan judges task definitions: {before:#?}");
    assert!(resources(&before).iter().all(|(id, arn)| id.contains(':') && arn.ends_with(id.as_str())), "{before:#?}");
    let applicable = |identities: &BTreeSet<(String, String, String)>| -> BTreeSet<(String, String, String)> {
        identities.iter().filter(|(check, _, _)| check != NOT_ALWAYS_APPLICABLE).cloned().collect()
    };
    assert_eq!(applicable(&after), applicable(&before));
    assert!(before.is_subset(&after), "{:#?}", before.difference(&after).collect::<Vec<_>>());
    for finding in denied.report["findings"].as_array().unwrap() {
        if text(&finding["resource_arn"]).contains(":task-definition/") {
            assert_eq!(finding["status"], "ERROR", "{finding}");
            assert!(text(&finding["message"]).contains("AccessDenied"), "{finding}");
        }
    }

    // The two reports compared: no resource appeared or disappeared.
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("clean.json"), dir.path().join("denied.json"));
    std::fs::write(&old, &clean.report_text).unwrap();
    std::fs::write(&new, &denied.report_text).unwrap();
    let diff = bulkhead().arg("diff").args([&old, &new]).args(["--format", "json"]).output().unwrap();
    assert!(diff.status.success(), "{}", String::from_utf8_lossy(&diff.stderr));
    let changes: Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(changes["resources_appeared"], serde_json::json!([]), "{changes:#}");
    assert_eq!(changes["resources_disappeared"], serde_json::json!([]), "{changes:#}");
    assert!(!changes["new_errors"].as_array().unwrap().is_empty(), "{changes:#}");
}

/// A region whose every call hangs: the per-attempt timeout ends each call,
/// that region's checks are ERROR, the other regions are as a clean scan
/// reports them, and the scan takes a bounded time, far below the stall.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_stalled_region_is_error_and_does_not_hold_up_the_scan() {
    let account = demo_account();
    let clean = account.scan(&[]);
    let proxy = FaultProxy::start(&["--stall", "*@ap-southeast-2", "--stall-seconds", "120"]);
    let scan = account
        .scan_through(&proxy.endpoint, &["--operation-timeout", "2", "--connect-timeout", "2", "--max-attempts", "2"]);

    // Its FAILs pass the gate: a certain failure wins over the incomplete scan.
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    let stalled = |finding: &Value| finding["region"] == "ap-southeast-2";
    let in_stalled = findings_where(&scan, stalled);
    assert!(!in_stalled.is_empty());
    assert!(
        in_stalled.iter().all(|f| f["status"] == "ERROR" && text(&f["message"]).contains("timed out")),
        "{in_stalled:#?}"
    );
    // One readable line each: the causes, not the SDK's debug form.
    assert!(
        in_stalled.iter().all(|f| {
            let message = text(&f["message"]);
            !message.contains('\n') && !message.contains("TimeoutError(") && !message.contains("source: ")
        }),
        "{in_stalled:#?}"
    );
    assert_eq!(findings_where(&scan, |f| !stalled(f)), findings_where(&clean, |f| !stalled(f)));
    for error in scan.report["scan"]["errors"].as_array().unwrap() {
        assert_eq!((error["region"].as_str(), error["kind"].as_str()), (Some("ap-southeast-2"), Some("timeout")));
    }
    // Two 2 s attempts per call and a backoff, calls of a region in parallel:
    // seconds, where the stall alone would be two minutes.
    assert!(scan.elapsed < Duration::from_secs(30), "took {:?}", scan.elapsed);
    eprintln!("faults: stalled ap-southeast-2: scan took {:.1} s", scan.elapsed.as_secs_f64());
}

/// The same seed and account give the same faults on the same calls,
/// whatever order bulkhead's concurrency sends them in.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_seed_gives_the_same_faults() {
    let account = demo_account();
    let stats: Vec<_> = (0..2)
        .map(|_| {
            let proxy = FaultProxy::start(&[&["--seed", "3"], &MIX[..]].concat());
            let scan = account.scan_through(&proxy.endpoint, &["--retry-mode", "standard", "--max-attempts", "10"]);
            assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
            proxy.stats()
        })
        .collect();
    assert!(stats[0].keys().any(|key| key.starts_with("throttle:")), "{:?}", stats[0]);
    assert_eq!(stats[0], stats[1]);
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_proxy_refuses_anything_but_loopback() {
    let output = std::process::Command::new(repo_root().join("localstack/.venv/bin/python"))
        .arg(Path::new(&repo_root()).join("localstack/faultproxy.py"))
        .args(["--upstream", "http://192.0.2.1:80"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
}
