//! `--config bulkhead.toml`: read and validated before any AWS call; a bad
//! file exits 2 naming the file, line and key.

use std::fs;

use crate::support::bulkhead;

fn scan_with_config(text: &str) -> (i32, String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bulkhead.toml");
    fs::write(&config, text).unwrap();
    let out = dir.path().join("out");
    // Nothing listens at this endpoint: any AWS call would end in exit 1, not 2.
    let output = bulkhead()
        .args(["scan", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"])
        .args(["--output-dir", out.to_str().unwrap(), "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    let written = fs::read_dir(&out).map(|entries| entries.count()).unwrap_or(0);
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned(), written)
}

#[test]
fn bad_config_files_exit_2_before_any_aws_call() {
    let cases = [
        ("trusted_accounts = [\n", "bulkhead.toml:"),
        ("trusted_accounts = []\nhigh_risk_ports = [22]\n", "bulkhead.toml:2:1: unknown field `high_risk_ports`"),
        ("min_vulnerability_severity = \"severe\"\n", "bulkhead.toml:1:30: min_vulnerability_severity"),
        ("high_risk_tcp_ports = [\"9000-80\"]\n", "runs backwards"),
    ];
    for (text, needle) in cases {
        let (code, stderr, written) = scan_with_config(text);
        assert_eq!(code, 2, "{text:?}: {stderr}");
        assert!(stderr.contains(needle), "{text:?}: expected {needle:?} in {stderr}");
        assert!(!stderr.contains("127.0.0.1:9"), "no AWS call was attempted: {stderr}");
        assert_eq!(written, 0, "no report");
    }
    let missing = bulkhead()
        .args(["scan", "--endpoint-url", "http://127.0.0.1:9", "--config", "/nonexistent/bulkhead.toml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn selection_flags_are_validated_before_any_aws_call() {
    for (args, needle) in [
        (vec!["--services", "s3"], "unknown service \"s3\" (valid: cloudtrail, ec2, ecr"),
        (vec!["--compliance", "cis-aws-9"], "valid: aws-fsbp, cis-aws-3.0, cis-aws-4.0.1, cis-aws-5.0"),
        (vec!["--severity", "extreme"], "unknown severity"),
        (vec!["--checks", "ecr_images_signed", "--services", "ec2"], "no checks are left"),
    ] {
        let output = bulkhead().args(["scan", "--endpoint-url", "http://127.0.0.1:9"]).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn frameworks_and_their_controls_are_listed() {
    let output = bulkhead().arg("frameworks").output().unwrap();
    let listed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for id in ["aws-fsbp", "cis-aws-3.0", "cis-aws-4.0.1", "cis-aws-5.0"] {
        assert!(listed.contains(id), "{listed}");
    }
    let output = bulkhead().args(["checks", "--compliance", "cis-aws-4.0.1", "--format", "json"]).output().unwrap();
    let mapping: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let controls = mapping["controls"].as_array().unwrap();
    let default_sg = controls.iter().find(|control| control["id"] == "5.5").expect("5.5 in v4.0.1");
    assert_eq!(default_sg["checks"], serde_json::json!(["ec2_securitygroup_default_restrict_traffic"]));
    let unknown = bulkhead().args(["checks", "--compliance", "nope"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}
