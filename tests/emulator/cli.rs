use std::collections::BTreeSet;
use std::fs;

use crate::support::{Account, bulkhead, repo_root, text};

#[test]
fn checks_lists_every_check_with_its_metadata() {
    let output = bulkhead().args(["checks", "--format", "json"]).output().unwrap();
    assert!(output.status.success());
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let ids: BTreeSet<String> = listed.iter().map(|check| text(&check["id"])).collect();

    let mut files = BTreeSet::new();
    for service in fs::read_dir(repo_root().join("checks")).unwrap() {
        let service = service.unwrap().path();
        if service.is_dir() && !service.ends_with("compliance") {
            for file in fs::read_dir(service).unwrap() {
                files.insert(file.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    assert_eq!(ids, files);
    assert!(listed.iter().all(|check| !text(&check["title"]).is_empty() && !text(&check["severity"]).is_empty()));

    let table = bulkhead().arg("checks").output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("ecr_images_signed"));
}

#[test]
fn usage_errors_exit_2_before_any_aws_call() {
    let dir = tempfile::tempdir().unwrap();
    let output_dir = dir.path().to_str().unwrap();
    // Nothing listens at this endpoint: a call would fail with exit 1, not 2.
    for args in [
        vec!["--checks", "no_such_check"],
        vec!["--exclude-checks", "ecr_images_signed,nope"],
        vec!["--fail-on", "extreme"],
        vec!["--max-concurrency", "0"],
        vec!["--output-name", "../escape"],
        vec!["--output-formats", "json,pdf"],
    ] {
        let output = bulkhead()
            .args(["scan", "--endpoint-url", "http://127.0.0.1:9", "--output-dir", output_dir])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "no report is written");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_region_that_is_not_enabled_is_refused() {
    let account = Account::seeded("empty");
    let scan_dir = tempfile::tempdir().unwrap();
    let output = bulkhead()
        .args(["scan", "--endpoint-url", &crate::support::endpoint(), "--regions", "ap-east-1"])
        .args(["--output-dir", scan_dir.path().to_str().unwrap()])
        .envs(account.env())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"ap-east-1\" is not enabled"));
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn only_the_selected_checks_run_and_the_report_says_what_was_scanned() {
    let account = Account::seeded("empty");
    let scan = account.scan(&["--checks", "ec2_networkacl_allow_ingress_tcp_port_22"]);
    let report = &scan.report;
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "bulkhead");
    assert_eq!(report["scan"]["accounts"], serde_json::json!([account.id]));
    assert_eq!(report["scan"]["regions"], serde_json::json!(["ap-southeast-2", "eu-west-1", "us-east-1"]));
    assert_eq!(report["scan"]["checks"], serde_json::json!(["ec2_networkacl_allow_ingress_tcp_port_22"]));
    assert!(text(&report["scan"]["principal_arn"]).contains(&account.id));
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "the default NACL of each region");
    for finding in findings {
        for field in [
            "check_id",
            "title",
            "severity",
            "status",
            "muted",
            "account_id",
            "region",
            "service",
            "resource_type",
            "resource_id",
            "resource_arn",
            "message",
        ] {
            assert!(!finding[field].is_null(), "{field} missing in {finding}");
        }
    }
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_enabled_region_is_scanned_unless_told_otherwise() {
    let account = Account::seeded("empty");
    let check = ["--checks", "ec2_networkacl_allow_ingress_tcp_port_22"];
    let every = account.scan_every_region(&check);
    let regions: Vec<String> = every.report["scan"]["regions"].as_array().unwrap().iter().map(text).collect();
    assert!(regions.len() > 10 && regions.contains(&"sa-east-1".to_owned()), "{regions:?}");
    assert!(!regions.contains(&"ap-east-1".to_owned()), "opt-in regions the account has not enabled are skipped");
    assert_eq!(every.findings("ec2_networkacl_allow_ingress_tcp_port_22").len(), regions.len());

    let some =
        account.scan(&[&check[..], &["--regions", "eu-west-1,us-east-1", "--exclude-regions", "us-east-1"]].concat());
    assert_eq!(some.report["scan"]["regions"], serde_json::json!(["eu-west-1"]));
}

#[test]
fn completions_and_man_pages_come_from_the_binary() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = bulkhead().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}: {}", String::from_utf8_lossy(&output.stderr));
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains("bulkhead") && script.contains("endpoint-url"), "{shell}: {script}");
    }
    let bash = bulkhead().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bulkhead.bash");
    fs::write(&script, &bash.stdout).unwrap();
    let parsed = std::process::Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(parsed.status.success(), "bash -n: {}", String::from_utf8_lossy(&parsed.stderr));
    assert_eq!(bulkhead().args(["completions", "tcsh"]).output().unwrap().status.code(), Some(2));

    let page = bulkhead().arg("man").output().unwrap();
    assert!(page.status.success());
    let page = String::from_utf8_lossy(&page.stdout);
    assert!(page.contains(".TH bulkhead 1"), "{page}");
    for sub in [
        "scan",
        "evaluate",
        "image",
        "diff",
        "report",
        "history",
        "merge",
        "accounts",
        "checks",
        "frameworks",
        "completions",
        "man",
    ] {
        assert!(page.contains(&format!("bulkhead\\-{sub}(1)")), "{sub} missing from:\n{page}");
    }
    let scan = bulkhead().args(["man", "scan"]).output().unwrap();
    assert!(String::from_utf8_lossy(&scan.stdout).contains("\\-\\-endpoint\\-url"));
    assert_eq!(bulkhead().args(["man", "nope"]).output().unwrap().status.code(), Some(2));
    let pages = dir.path().join("man1");
    let written = bulkhead().args(["man", "--output-dir", pages.to_str().unwrap()]).output().unwrap();
    assert!(written.status.success());
    // bulkhead.1, one page per subcommand and one per `history` subcommand.
    assert_eq!(fs::read_dir(&pages).unwrap().count(), 15, "{:?}", fs::read_dir(&pages).unwrap().collect::<Vec<_>>());
}
