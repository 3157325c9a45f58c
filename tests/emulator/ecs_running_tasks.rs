//! Running tasks against the emulator (tests/fixtures/ecs_running.yaml):
//! DescribeTasks' container digests (server.py resolves them when a task
//! starts), a tag pushed over after its task started, and the three checks
//! that judge what runs. The repository's name is nested (`team/app`), as
//! real ones often are: its config blobs' download URLs carry the slash.

use crate::call_stats::calls_by_operation;
use crate::support::{Account, text};

const MATCH: &str = "ecs_running_tasks_images_match_task_definition";
const SIGNED: &str = "ecs_running_tasks_images_signed";
const TRUSTED: &str = "ecs_running_tasks_images_from_trusted_registries";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn what_runs_is_judged_against_what_is_declared() {
    let account = Account::seeded("ecs_running");
    let scan = account.scan(&["--checks", &[MATCH, SIGNED, TRUSTED].join(","), "--stats"]);

    // The tag v1 moved after service moved's task started.
    let moved = scan.finding_mentioning(MATCH, "service moved of cluster prod");
    assert_eq!(moved["status"], "FAIL", "{moved}");
    let message = text(&moved["message"]);
    assert!(message.contains("container web runs sha256:"), "{message}");
    assert!(message.contains(":v1 now points at sha256:"), "{message}");
    assert!(message.contains("the tag moved"), "{message}");
    assert!(text(&moved["resource_arn"]).contains(":task/prod/"), "{moved}");
    assert_eq!(scan.status_of(MATCH, "service steady of cluster prod"), "PASS");
    // The standalone task: its Docker Hub container is not judged, its ECR sidecar is.
    let hub = scan.finding_mentioning(MATCH, "a standalone task of cluster prod");
    assert_eq!(hub["status"], "PASS", "{hub}");
    assert!(text(&hub["message"]).contains("Not judged: container proxy"), "{hub}");
    assert_eq!(scan.findings(MATCH).len(), 3);

    // What runs under the moved tag is the first v1, signed with Notation; v2 is unsigned.
    let signed = scan.finding_mentioning(SIGNED, "service moved of cluster prod");
    assert_eq!(signed["status"], "PASS", "{signed}");
    let steady = scan.finding_mentioning(SIGNED, "service steady of cluster prod");
    assert_eq!(steady["status"], "FAIL", "{steady}");
    assert!(text(&steady["message"]).contains("container web runs team/app@sha256:"), "{steady}");
    assert_eq!(scan.status_of(SIGNED, "a standalone task of cluster prod"), "FAIL", "its ECR sidecar is unsigned");
    assert_eq!(scan.findings(SIGNED).len(), 3);

    let hub = scan.finding_mentioning(TRUSTED, "a standalone task of cluster prod");
    assert_eq!(hub["status"], "FAIL", "{hub}");
    assert!(text(&hub["message"]).contains("container proxy runs nginx:1.27 from docker.io"), "{hub}");
    assert_eq!(scan.status_of(TRUSTED, "service moved of cluster prod"), "PASS");
    assert_eq!(scan.findings(TRUSTED).len(), 3);

    // One ListTasks and one DescribeTasks for the cluster's three tasks; the
    // digests the tasks run are read with the tags in one BatchGetImage.
    let calls = calls_by_operation(&scan.report);
    assert_eq!(calls["ecs:ListTasks"], 1, "{calls:?}");
    assert_eq!(calls["ecs:DescribeTasks"], 1, "{calls:?}");
    assert_eq!(calls["ecr:BatchGetImage"], 1, "{calls:?}");
}
