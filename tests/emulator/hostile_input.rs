//! Hostile input from AWS and secrets in the environment: names with markup,
//! quotes, control characters, RTL overrides and 64 KiB reach the report
//! intact and inert; a response that cannot be parsed is ERROR; no
//! credential appears in any output or log.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::support::{Account, bulkhead, endpoint, repo_root, text};

const SSH: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";
const NACL: &str = "ec2_networkacl_allow_ingress_tcp_port_22";

/// tests/fixtures/hostile_names.yaml plus a security group with a 64 KiB name.
fn hostile_fixture(dir: &Path, long_name: &str) -> std::path::PathBuf {
    let text = fs::read_to_string(repo_root().join("tests/fixtures/hostile_names.yaml")).unwrap();
    let mut fixture: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let groups = fixture["regions"]["eu-west-1"]["security_groups"].as_sequence_mut().unwrap();
    let mut long = serde_yaml_ng::Mapping::new();
    long.insert("name".into(), long_name.into());
    groups.push(long.into());
    let path = dir.join("hostile_names.yaml");
    fs::write(&path, serde_yaml_ng::to_string(&fixture).unwrap()).unwrap();
    path
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn hostile_names_reach_the_report_intact_and_inert() {
    let dir = tempfile::tempdir().unwrap();
    let long_name = format!("long-{}", "L".repeat(64 * 1024));
    let account = Account::seeded_from(&hostile_fixture(dir.path(), &long_name));
    let scan = account.scan(&["--checks", &format!("{SSH},{NACL}"), "--regions", "eu-west-1,ap-southeast-2"]);

    let names = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "quotes ' \" ` and \\ backslash {{ template }} ${env}",
        "ctl\ttab\nnewline\rcr\u{7f}del\u{85}nel\u{9b}csi\u{200b}zwsp",
        "rtl \u{202e}gnp.exe",
        long_name.as_str(),
    ];
    let messages: Vec<String> =
        scan.findings(SSH).iter().filter(|f| f["region"] == "eu-west-1").map(|f| text(&f["message"])).collect();
    for name in names {
        assert!(
            messages.iter().any(|message| message.contains(&format!("({name})"))),
            "{:?} did not arrive intact",
            name.chars().take(60).collect::<String>()
        );
    }
    let nacl = "<b>acl</b> \u{202e} \" ' & %s %n";
    assert!(scan.findings(NACL).iter().any(|f| text(&f["message"]).contains(&format!("\"{nacl}\""))));

    // Inert: the report is JSON whose every control character is escaped.
    let raw = scan.report_text.as_bytes();
    assert!(raw.iter().all(|&byte| byte >= 0x20 || byte == b'\n'), "a raw control character in the report");
    assert!(!scan.stderr.contains("<script>"), "resource names stay out of the log: {}", scan.stderr);

    // ESC cannot travel in XML: the response does not parse, and that is ERROR.
    let unreadable: Vec<&Value> = scan.findings(SSH).into_iter().filter(|f| f["region"] == "ap-southeast-2").collect();
    assert_eq!(unreadable.len(), 1, "{unreadable:#?}");
    assert_eq!(unreadable[0]["status"], "ERROR");
    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["kind"], "malformed_response");
    assert_eq!(errors[0]["operation"], "DescribeSecurityGroups");
    // Its FAILs pass the gate: a certain failure wins over the incomplete scan.
    assert_eq!(scan.exit_code, 3);
}

/// Credentials planted with canaries (the emulator does not check
/// signatures) never reach the report, stdout or the log, even at trace level.
/// Task definitions (ECS environment secrets) are not collected yet: their
/// canary belongs with the ECS collector.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn no_secret_reaches_any_output_or_log() {
    const SECRET: &str = "CANARYsecretKEY0b4d2c9e7f1a3d5c7e9f0a1b2c3d4e5f";
    const TOKEN: &str = "CANARYsessionTOKEN9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("canary.yaml");
    fs::write(
        &fixture,
        "regions:\n  eu-west-1:\n    security_groups:\n      - name: resource-name-canary-7c1e\n        \
         ingress: [{protocol: tcp, from_port: 22, to_port: 22, cidr: 0.0.0.0/0}]\n",
    )
    .unwrap();
    let account = Account::seeded_from(&fixture);
    let access_key = account.env().into_iter().find(|(name, _)| name == "AWS_ACCESS_KEY_ID").unwrap().1;

    for (verbosity, rust_log) in [("-vv", None), ("-v", Some("trace"))] {
        let output_dir = dir.path().join(format!("out{verbosity}"));
        let mut command = bulkhead();
        command
            .arg(verbosity)
            .args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1", "--regions", "eu-west-1"])
            .args(["--output-dir", output_dir.to_str().unwrap()])
            .env("AWS_ACCESS_KEY_ID", &access_key)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .env_remove("RUST_LOG");
        if let Some(filter) = rust_log {
            command.env("RUST_LOG", filter);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(3), "{stderr}");
        let mut outputs =
            vec![("stdout".to_owned(), output.stdout.clone()), ("stderr".to_owned(), output.stderr.clone())];
        for file in fs::read_dir(&output_dir).unwrap() {
            let path = file.unwrap().path();
            outputs.push((path.display().to_string(), fs::read(&path).unwrap()));
        }
        let report = outputs.iter().find(|(name, _)| name.ends_with(".json")).expect("a report was written");
        assert!(String::from_utf8_lossy(&report.1).contains("resource-name-canary-7c1e"), "the scan saw the account");
        for (name, bytes) in &outputs {
            let text = String::from_utf8_lossy(bytes);
            for canary in [SECRET, TOKEN, "CANARYsecret", "CANARYsession"] {
                assert!(!text.contains(canary), "{verbosity} {rust_log:?}: {canary} leaked into {name}");
            }
        }
        if rust_log.is_some() {
            assert!(stderr.lines().count() > 100, "trace logging was on");
        }
    }
}
