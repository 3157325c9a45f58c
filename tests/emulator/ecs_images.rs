//! The images themselves against the emulator (tests/fixtures/ecs_images.yaml):
//! manifests through BatchGetImage, an index resolved to its linux/amd64
//! manifest, config blobs through GetDownloadUrlForLayer and the presigned
//! GET (server.py's blob store), each distinct image read once, and the
//! checks that read them: FAIL, PASS and ERROR.

use crate::call_stats::calls_by_operation;
use crate::support::{Account, text};

const CHECKS: [&str; 4] = [
    "ecs_task_definitions_containers_non_root_user",
    "ecs_task_definitions_images_no_secrets_in_config",
    "ecs_task_definitions_images_no_ssh",
    "ecs_task_definitions_images_not_outdated",
];

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn image_configs_decide_the_image_checks_and_the_non_root_user() {
    let account = Account::seeded("ecs_images");
    let scan = account.scan(&["--checks", &CHECKS.join(","), "--stats"]);

    // The task definition sets no user: the image's USER decides, and says so.
    let by_image = scan.finding_mentioning(CHECKS[0], "by-image-user:1");
    assert_eq!(by_image["status"], "PASS", "{by_image}");
    assert!(
        text(&by_image["message"]).contains("runs as 1000:1000 (no user in the task definition; the image app@sha256:")
    );
    let root = scan.finding_mentioning(CHECKS[0], "root-image:1");
    assert_eq!(root["status"], "FAIL");
    assert!(text(&root["message"]).contains("sets no USER either (the image's config decided: root)"), "{root}");
    // Not in this account's ECR: not read, still FAIL.
    assert_eq!(scan.status_of(CHECKS[0], "Task definition hub:1"), "FAIL");
    // The index's linux/amd64 manifest (listed second) is the one read.
    assert_eq!(scan.status_of(CHECKS[0], "Task definition multi:1"), "PASS");
    // A config blob the registry does not have: ERROR, never PASS.
    let broken = scan.finding_mentioning(CHECKS[0], "Task definition broken:1");
    assert_eq!(broken["status"], "ERROR");
    assert!(text(&broken["message"]).contains("LayersNotFoundException"), "{broken}");

    let secrets = scan.finding_mentioning(CHECKS[1], "leaky:1");
    assert_eq!(secrets["status"], "FAIL");
    let message = text(&secrets["message"]);
    assert!(message.contains("environment variable AWS_SECRET_ACCESS_KEY (an AWS secret access key)"), "{message}");
    assert!(message.contains("history step 2 (RUN GITHUB_TOKEN: a GitHub token)"), "{message}");
    assert!(!message.contains("wJalrXUtnFEMI") && !message.contains("ghp_"), "never the value: {message}");
    assert_eq!(scan.status_of(CHECKS[1], "ssh:1"), "PASS");

    let ssh = scan.finding_mentioning(CHECKS[2], "ssh:1");
    assert_eq!(ssh["status"], "FAIL");
    assert!(text(&ssh["message"]).contains("exposes port 22/tcp, its command starts sshd"), "{ssh}");
    assert_eq!(scan.status_of(CHECKS[2], "leaky:1"), "PASS");

    assert_eq!(scan.status_of(CHECKS[3], "ancient:1"), "FAIL");
    assert_eq!(scan.status_of(CHECKS[3], "task definition leaky:1 (container web"), "PASS");
    // A tag that is gone: ERROR with ECR's reason, under the reference's name.
    let gone = scan.finding_mentioning(CHECKS[0], "Task definition gone:1");
    assert_eq!(gone["status"], "ERROR");
    assert!(text(&gone["message"]).contains("app:deleted: ImageNotFound"), "{gone}");
    for check in &CHECKS[1..] {
        let findings = scan.findings(check);
        // Eight images: v1 named twice is one image; the Docker Hub one is not read.
        assert_eq!(findings.len(), 8, "{check}: {findings:#?}");
        let errors: Vec<_> = findings.iter().filter(|finding| finding["status"] == "ERROR").collect();
        assert_eq!(errors.len(), 2, "{check}: the image without its config blob and the gone tag: {errors:#?}");
        let blobless = errors.iter().find(|error| text(&error["message"]).contains("LayersNotFoundException")).unwrap();
        assert!(text(&blobless["message"]).starts_with("Could not read image app@sha256:"), "{blobless}");
        assert_eq!(blobless["region"], "eu-west-1");
        assert!(text(&blobless["resource_arn"]).contains(":repository/app/sha256:"), "{blobless}");
        let tag = errors.iter().find(|error| error["resource_id"] == "app:deleted").expect("the reference's name");
        assert!(text(&tag["resource_arn"]).ends_with(":repository/app"), "{tag}");
    }

    // One BatchGetImage for the eight tags, one for the index's platform
    // manifest; one config blob per distinct image (the missing one fails at
    // GetDownloadUrlForLayer, so six GETs); the one layer every image that
    // was read shares, once (the SSH check reads layers).
    let calls = calls_by_operation(&scan.report);
    assert_eq!(calls["ecr:BatchGetImage"], 2, "{calls:?}");
    assert_eq!(calls["ecr:GetDownloadUrlForLayer"], 7 + 1, "{calls:?}");
    assert_eq!(calls["ecr:GetDownloadUrlForLayer (GET)"], 6, "{calls:?}");
    assert_eq!(calls["ecr:GetDownloadUrlForLayer (layer GET)"], 1, "{calls:?}");
}

/// The emulator's download URLs are plain http: accepted because the scan's
/// endpoint is overridden. Without an override an http URL is refused; the
/// SDK-level test for that is in src/aws/blob.rs.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn only_the_selected_checks_read_images() {
    let account = Account::seeded("ecs_images");
    let scan = account.scan(&["--checks", "ecs_task_definitions_no_privileged_containers", "--stats"]);
    let calls = calls_by_operation(&scan.report);
    assert!(!calls.contains_key("ecr:BatchGetImage") && !calls.contains_key("ecr:GetDownloadUrlForLayer"), "{calls:?}");
}
