//! ECS task definition checks against the emulator: which revisions are
//! judged (latest ACTIVE per family plus every revision in use) and each
//! check's FAIL and PASS.

use std::collections::BTreeMap;

use crate::support::{Account, Scan, text};

const CHECKS: [&str; 10] = [
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

fn statuses(scan: &Scan, check: &str) -> BTreeMap<String, String> {
    scan.statuses(check, "eu-west-1")
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn latest_revisions_and_revisions_in_use_are_judged_with_both_verdicts() {
    let account = Account::seeded("ecs");
    let scan = account.scan(&["--checks", &CHECKS.join(",")]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    // hardened:1 (latest, used by two services), risky:1 (used by a service,
    // not the latest), risky:2, sidecar:1, batchjob:1 (a running task),
    // batchjob:2, retired:2. retired:1 runs nowhere and is not fetched.
    let judged: Vec<String> = statuses(&scan, CHECKS[0]).into_keys().collect();
    assert_eq!(judged, ["batchjob:1", "batchjob:2", "hardened:1", "retired:2", "risky:1", "risky:2", "sidecar:1"]);
    let running = scan.finding_mentioning(CHECKS[0], "used by running tasks in cluster prod");
    assert_eq!(running["resource_id"], "batchjob:1");
    assert!(
        text(&scan.finding_mentioning(CHECKS[0], "used by service api of cluster prod")["resource_arn"])
            .ends_with(":task-definition/risky:1")
    );

    // (check, a FAILing task definition, a PASSing one)
    let expected = [
        ("ecs_task_definitions_no_privileged_containers", "risky:1", "hardened:1"),
        ("ecs_task_definitions_host_namespace_not_shared", "risky:1", "sidecar:1"),
        ("ecs_task_definitions_host_networking_mode_users", "risky:1", "sidecar:1"),
        ("ecs_task_definitions_containers_readonly_access", "risky:2", "hardened:1"),
        ("ecs_task_definitions_containers_non_root_user", "risky:2", "retired:2"),
        ("ecs_task_definitions_logging_enabled", "batchjob:2", "risky:2"),
        ("ecs_task_definitions_logging_block_mode", "sidecar:1", "hardened:1"),
        ("ecs_task_definitions_no_environment_secrets", "risky:2", "sidecar:1"),
        ("ecs_task_definitions_images_pinned_by_digest", "risky:2", "sidecar:1"),
        ("ecs_task_definitions_images_from_trusted_registries", "batchjob:1", "batchjob:2"),
    ];
    for (check, fail, pass) in expected {
        let found = statuses(&scan, check);
        assert_eq!(found[fail], "FAIL", "{check} {fail}: {found:?}");
        assert_eq!(found[pass], "PASS", "{check} {pass}: {found:?}");
        assert!(!found.values().any(|status| status == "ERROR"), "{check}: {found:?}");
    }
    // Both namespaces are reported; ipcMode alone fails too.
    assert_eq!(statuses(&scan, "ecs_task_definitions_host_namespace_not_shared")["risky:2"], "FAIL");
    // Host network mode passes ECS.1 when the only root container is privileged;
    // risky:1 fails because of its non-privileged helper.
    let host = scan.finding_mentioning("ecs_task_definitions_host_networking_mode_users", "risky:1");
    assert!(text(&host["message"]).ends_with("helper."), "{host}");
    // Task definitions with no log configuration at all are not judged on log mode.
    assert!(!statuses(&scan, "ecs_task_definitions_logging_block_mode").contains_key("batchjob:2"));
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn secrets_are_named_never_printed() {
    let account = Account::seeded("ecs");
    let scan = account.scan(&["--checks", "ecs_task_definitions_no_environment_secrets"]);
    let risky = text(&scan.finding_mentioning("ecs_task_definitions_no_environment_secrets", "risky:1")["message"]);
    assert!(risky.contains("AWS_ACCESS_KEY_ID (an AWS access key id)"), "{risky}");
    assert!(risky.contains("ORDERS_DB (a connection string with a password)"), "{risky}");
    let web = text(&scan.finding_mentioning("ecs_task_definitions_no_environment_secrets", "risky:2")["message"]);
    assert!(web.contains("GITHUB_TOKEN (a GitHub token)"), "{web}");
    assert!(web.contains("API_SIGNING_KEY (a random-looking value under a secret-like name)"), "{web}");

    let whole = serde_json::to_string(&scan.report).unwrap() + &scan.stderr;
    for value in ["AKIAIOSFODNN7EXAMPLE", "Sup3rS3cret", "ghp_aBcDeFgHiJ", "Zx8#kq2LmP0vR7tY"] {
        assert!(!whole.contains(value), "the report or log shows a secret value ({value})");
    }
    // Plain URLs without passwords, flags and secrets injected from Secrets Manager pass.
    assert_eq!(scan.statuses("ecs_task_definitions_no_environment_secrets", "eu-west-1")["hardened:1"], "PASS");
}
