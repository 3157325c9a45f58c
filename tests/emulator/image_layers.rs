//! The images' layers against the emulator (tests/fixtures/image_layers.yaml):
//! real layer blobs through GetDownloadUrlForLayer and the presigned GET
//! (server.py's blob store), stacked with their whiteouts, each distinct
//! layer fetched once per scan, and the checks that read them.

use crate::call_stats::calls_by_operation;
use crate::support::{Account, Scan, bulkhead, endpoint, text};

const CHECKS: [&str; 3] =
    ["ecr_images_no_secrets_in_layers", "ecr_images_base_os_supported", "ecs_task_definitions_images_no_ssh"];

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn layers_decide_the_secret_base_os_and_ssh_checks() {
    let account = Account::seeded("image_layers");
    let scan = account.scan(&["--checks", &CHECKS.join(","), "--stats"]);

    let deleted = scan.finding_mentioning(CHECKS[0], "deleted-key:1");
    assert_eq!(deleted["status"], "FAIL", "{deleted}");
    let message = text(&deleted["message"]);
    for part in [
        "/root/.ssh/id_rsa (a private key block, rule private_key) in layer 2 (sha256:",
        "created by history step 2, COPY): deleted in layer 3 but still shipped in layer 2",
        "/root/.aws/credentials (an AWS shared credentials file with a secret access key, rule aws_credentials_file)",
        "present in the image",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert!(!message.contains("Xk9mQ2vL7p") && !message.contains("b3BlbnNzaC1"), "never the value: {message}");
    assert_eq!(scan.status_of(CHECKS[0], "clean:1"), "PASS");
    assert_eq!(scan.status_of(CHECKS[0], "example-keys:1"), "PASS", "AWS's documented example keys");
    assert_eq!(scan.status_of(CHECKS[0], "old-base:1"), "PASS");

    let old = scan.finding_mentioning(CHECKS[1], "old-base:1");
    assert_eq!(old["status"], "FAIL", "{old}");
    assert!(text(&old["message"]).contains("Debian GNU/Linux 10 (buster), whose vendor support ended on 2024-06-30"));
    // The os-release reached through the symlink's target, in a shared layer.
    let clean = scan.finding_mentioning(CHECKS[1], "clean:1");
    assert_eq!(clean["status"], "PASS", "{clean}");
    assert!(text(&clean["message"]).contains("Debian GNU/Linux 12 (bookworm)"), "{clean}");
    // The image without an os-release gets no base-OS verdict; the others do.
    let base_os = scan.findings(CHECKS[1]);
    // Five images in use have an os-release: deleted-key, old-base, clean,
    // example-keys and worker:v1.
    assert_eq!(base_os.len(), 5, "{base_os:#?}");
    assert!(base_os.iter().all(|finding| !text(&finding["message"]).contains("scratch:1")));

    let ssh = scan.finding_mentioning(CHECKS[2], "old-base:1");
    assert_eq!(ssh["status"], "FAIL");
    assert!(text(&ssh["message"]).contains("its layers install /usr/sbin/sshd"), "{ssh}");
    assert_eq!(scan.status_of(CHECKS[2], "clean:1"), "PASS");

    // Ten layer blobs named by six images, seven distinct: the shared
    // Debian 12 layer (in two repositories) is fetched once.
    let calls = calls_by_operation(&scan.report);
    assert_eq!(calls["ecr:GetDownloadUrlForLayer (layer GET)"], 7, "{calls:?}");
    assert_eq!(calls["ecr:GetDownloadUrlForLayer"], 6 + 7, "six configs and seven layers: {calls:?}");
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);
}

/// `bulkhead image REFERENCE` on the same images: every image check on the
/// one image named, with a scan's reports and exit codes, and no other
/// image or task definition of the account read.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_image_command_audits_one_image_before_it_is_deployed() {
    let account = Account::seeded("image_layers");
    let image = |reference: &str, args: &[&str]| {
        let output_dir = tempfile::tempdir().unwrap();
        let output = bulkhead()
            .args(["image", reference, "--endpoint-url", &endpoint()])
            .args(["--output-dir", output_dir.path().to_str().unwrap(), "--output-formats", "json,junit,sarif"])
            .args(args)
            .envs(account.env())
            .output()
            .expect("running bulkhead image");
        let scan = Scan::read(output, &output_dir.path().join("bulkhead.json"));
        let written: Vec<String> = std::fs::read_dir(output_dir.path())
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default())
            .collect();
        (scan, written.join("\n"))
    };
    let registry = format!("{}.dkr.ecr.eu-west-1.amazonaws.com", account.id);

    let (deleted, written) = image(&format!("{registry}/app:deleted-key"), &[]);
    assert_eq!(deleted.exit_code, 3, "a FAIL at the default --fail-on low: {}", deleted.stderr);
    let checks: Vec<String> = deleted.report["scan"]["checks"].as_array().unwrap().iter().map(text).collect();
    assert!(checks.iter().any(|id| id == CHECKS[0]) && checks.iter().any(|id| id == CHECKS[1]), "{checks:?}");
    let secret = deleted.finding_mentioning(CHECKS[0], "app@sha256:");
    assert_eq!(secret["status"], "FAIL", "{secret}");
    assert!(text(&secret["message"]).contains("deleted in layer 3 but still shipped in layer 2"), "{secret}");
    assert!(text(&secret["message"]).contains("bulkhead-image:0"), "{secret}");
    for value in ["Xk9mQ2vL7p", "b3BlbnNzaC1", "AKIAY34FZKBOKMUTVV7A"] {
        assert!(!written.contains(value) && !deleted.stderr.contains(value), "{value} written");
    }
    // Its signature and its scan, from the repository's listing cut to the image.
    let unsigned = deleted.finding_mentioning("ecs_task_definitions_images_signed", "app@sha256:");
    assert_eq!(unsigned["status"], "FAIL", "{unsigned}");
    assert!(text(&unsigned["message"]).contains("is not signed: no cosign signature tag"), "{unsigned}");
    let vulnerable = deleted.finding_mentioning("ecs_task_definitions_images_no_vulnerabilities", "app@sha256:");
    assert_eq!(vulnerable["status"], "FAIL", "{vulnerable}");
    assert!(text(&vulnerable["message"]).contains("CVE-2024-6387 (CRITICAL, openssh"), "{vulnerable}");
    // Only the image asked for: none of the other tags the account's task definitions name.
    let findings = deleted.report["findings"].as_array().unwrap();
    // One finding per check, all of the one image.
    assert_eq!(findings.len(), checks.len(), "{findings:#?}");
    assert!(findings.iter().all(|finding| !text(&finding["message"]).contains("old-base")), "{findings:#?}");

    let (clean, _) = image(&format!("{registry}/app:clean"), &["--fail-on", "high"]);
    assert_eq!(clean.exit_code, 0, "{}\n{:#?}", clean.stderr, clean.report["findings"]);
    assert_eq!(clean.status_of(CHECKS[0], "app@sha256:"), "PASS");
    assert_eq!(clean.status_of(CHECKS[1], "app@sha256:"), "PASS");
    let signed = clean.finding_mentioning("ecs_task_definitions_images_signed", "app@sha256:");
    assert_eq!(signed["status"], "PASS", "{signed}");
    assert!(text(&signed["message"]).contains("cosign"), "{signed}");
    let scanned = clean.finding_mentioning("ecs_task_definitions_images_no_vulnerabilities", "app@sha256:");
    assert_eq!(scanned["status"], "PASS", "{scanned}");
    assert!(text(&scanned["message"]).contains("(1 finding(s) in all)"), "{scanned}");
    // The repository's listing, one describe of the repository, no other image's signing status.
    let calls = calls_by_operation(&clean.report);
    assert_eq!(calls["ecr:DescribeRepositories"], 1, "{calls:?}");
    assert_eq!(calls["ecr:DescribeImageScanFindings"], 1, "{calls:?}");

    let (old, _) = image(&format!("{registry}/app:old-base"), &["--fail-on", "high"]);
    assert_eq!(old.status_of(CHECKS[1], "app@sha256:"), "FAIL");
    assert_eq!(old.status_of(CHECKS[2], "app@sha256:"), "FAIL");
    assert_eq!(old.exit_code, 3, "{}", old.stderr);

    // Not in ECR, or a platform ECS does not run: a usage error before any call.
    let output = bulkhead().args(["image", "docker.io/library/nginx:1.27"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
}
