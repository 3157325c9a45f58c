//! `--mutelist`: Prowler's format plus `Reason` and `Expires`. Muted findings
//! stay in the report, with the reason, and never fail the scan; expired
//! entries mute nothing and are listed; a bad file stops the scan before any
//! AWS call.

use std::fs;

use serde_json::Value;

use crate::support::{Account, Scan, bulkhead};

const SSH: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";
const RDP: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389";
const NACL: &str = "ec2_networkacl_allow_ingress_tcp_port_22";

fn mutelist(account: &str) -> String {
    format!(
        r#"Mutelist:
  Accounts:
    "{account}":
      Checks:
        "{SSH}":
          Regions: ["*"]
          Resources: ["*"]
          Tags: ["Team=ops", "Env=prod|Env=stage"]
          Exceptions:
            Regions: ["us-east-1"]
          Reason: "bastion hosts, reviewed quarterly (SEC-12)"
          Expires: 2999-12-31
        "{RDP}":
          Regions: ["eu-west-1"]
          Resources: ["*"]
          Reason: "old exemption"
          Expires: 2020-01-31
    "*":
      Checks:
        "ec2_networkacl_.*":
          Regions: ["*"]
          Resources: ["*"]
          Description: "default NACLs are managed by the platform team"
"#
    )
}

fn finding<'a>(scan: &'a Scan, check: &str, group: &str) -> &'a Value {
    scan.finding_mentioning(check, &format!("({group})"))
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn muted_findings_stay_in_the_report_with_their_reason() {
    let account = Account::seeded("mutelist");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutelist.yaml");
    fs::write(&path, mutelist(&account.id)).unwrap();
    let path = path.to_str().unwrap();
    let checks = format!("{SSH},{RDP},{NACL}");

    let scan = account.scan(&["--checks", &checks, "--mutelist", path]);
    let bastion = finding(&scan, SSH, "bastion");
    assert_eq!((bastion["status"].as_str(), bastion["muted"].as_bool()), (Some("FAIL"), Some(true)), "{bastion}");
    assert_eq!(bastion["mute_reason"], "bastion hosts, reviewed quarterly (SEC-12)");
    // Excepted region: not muted.
    let bastion_us = finding(&scan, SSH, "bastion-us");
    assert_eq!((bastion_us["status"].as_str(), bastion_us["muted"].as_bool()), (Some("FAIL"), Some(false)));
    assert!(bastion_us["mute_reason"].is_null());
    // Expired entry: mutes nothing, and the report says so.
    let rdp = finding(&scan, RDP, "legacy-rdp");
    assert_eq!((rdp["status"].as_str(), rdp["muted"].as_bool()), (Some("FAIL"), Some(false)));
    let summary = &scan.report["scan"]["mutelist"];
    assert_eq!(summary["entries"], 3);
    assert_eq!(summary["expired"].as_array().unwrap().len(), 1, "{summary}");
    assert_eq!(summary["expired"][0]["check"], RDP);
    assert_eq!(summary["expired"][0]["expires"], "2020-01-31");
    assert!(scan.stderr.contains("expired on 2020-01-31"), "{}", scan.stderr);
    // A "*" account and a check regex; Prowler's Description is the reason.
    let nacls = scan.findings(NACL);
    assert_eq!(nacls.len(), 3);
    for nacl in nacls {
        assert_eq!(nacl["muted"], true);
        assert_eq!(nacl["mute_reason"], "default NACLs are managed by the platform team");
    }
    assert_eq!(scan.exit_code, 3, "unmuted FAILs remain: {}", scan.stderr);

    // Where every FAIL is muted, the scan passes, and the findings are still there.
    let eu = account.scan(&["--checks", &format!("{SSH},{NACL}"), "--regions", "eu-west-1", "--mutelist", path]);
    let fails: Vec<&Value> =
        eu.report["findings"].as_array().unwrap().iter().filter(|f| f["status"] == "FAIL").collect();
    assert_eq!(fails.len(), 2, "{fails:#?}");
    assert!(fails.iter().all(|f| f["muted"] == true));
    assert_eq!(eu.exit_code, 0, "muted FAILs never fail the gate: {}", eu.stderr);

    // Without a mutelist nothing is muted and the report has no mutelist summary.
    let plain = account.scan(&["--checks", &checks]);
    assert!(plain.report["findings"].as_array().unwrap().iter().all(|f| f["muted"] == false));
    assert!(plain.report["scan"]["mutelist"].is_null());
}

#[test]
fn a_bad_mutelist_or_conflicting_flags_exit_2_before_any_aws_call() {
    let dir = tempfile::tempdir().unwrap();
    let entry = |extra: &str| {
        format!(
            "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n{extra}"
        )
    };
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("not-yaml.yaml", "Mutelist: {Accounts: [\n".into(), vec!["not-yaml.yaml"]),
        ("unknown-key.yaml", entry("          Reasons: typo\n"), vec!["line 8", "unknown field `Reasons`", "Checks.*"]),
        ("bad-date.yaml", entry("          Expires: 31/12/2026\n"), vec!["line 8", "Expires", "is not a date"]),
        (
            "bad-regex.yaml",
            entry("          Tags: [\"team=(ops\"]\n"),
            vec!["line 8", "Tags", "not a valid regular expression"],
        ),
        ("not-a-mutelist.yaml", "just a string\n".into(), vec!["not-a-mutelist.yaml"]),
    ];
    let output_dir = dir.path().join("out");
    for (name, contents, expected) in &cases {
        let path = dir.path().join(name);
        fs::write(&path, contents).unwrap();
        let output = bulkhead()
            // Nothing listens here: an AWS call would fail with exit 1, not 2.
            .args(["scan", "--endpoint-url", "http://127.0.0.1:9", "--output-dir", output_dir.to_str().unwrap()])
            .args(["--mutelist", path.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(&format!("mutelist {}", path.display())), "{name}: the file is named: {stderr}");
        for needle in expected {
            assert!(stderr.contains(needle), "{name}: {needle:?} not in {stderr}");
        }
        assert!(!stderr.contains("127.0.0.1:9"), "{name}: no AWS call was tried: {stderr}");
    }
    let missing = bulkhead()
        .args(["scan", "--endpoint-url", "http://127.0.0.1:9", "--mutelist", "/nonexistent/mute.yaml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/mute.yaml"));

    // Flags that contradict each other.
    for flags in [
        ["--regions", "eu-west-1", "--exclude-regions", "eu-west-1"],
        ["--checks", "ecr_images_signed", "--exclude-checks", "ecr_images_signed"],
    ] {
        let conflicting = bulkhead()
            .args(["scan", "--endpoint-url", "http://127.0.0.1:9", "--output-dir", output_dir.to_str().unwrap()])
            .args(flags)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&conflicting.stderr);
        assert_eq!(conflicting.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains("no regions are left") || stderr.contains("no checks are left"), "{stderr}");
    }
    assert!(!output_dir.exists(), "no report is written");
}
