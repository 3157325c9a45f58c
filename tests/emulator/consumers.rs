//! The reports as their consumers read them: every OCSF object loaded by
//! py-ocsf-models (Prowler's OCSF library), the ASFF findings imported into
//! the emulator's Security Hub and read back, and the compliance CSVs
//! against the JSON report's own compliance view. The Python consumers are
//! in tests/consumers/; the demo account is seeded fresh for each test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::reports::{python, scan_into};
use crate::support::{Account, endpoint, repo_root};

fn demo_account() -> Account {
    Account::seeded_from(&repo_root().join("localstack/demo-account.yaml"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))).unwrap()
}

/// Runs tests/consumers/SCRIPT with the test venv's python; its last
/// stdout line is JSON.
fn consumer(script: &str, args: &[&str], env: Vec<(String, String)>) -> (bool, Value) {
    let output = Command::new(python())
        .arg(repo_root().join("tests/consumers").join(script))
        .args(args)
        .envs(env)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_else(|| {
        panic!("{script} printed nothing:\n{}", String::from_utf8_lossy(&output.stderr));
    });
    let value = serde_json::from_str(last).unwrap_or_else(|err| panic!("{script}: {err}: {stdout}"));
    (output.status.success(), value)
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_ocsf_object_loads_in_py_ocsf_models() {
    let account = demo_account();
    let dir = tempfile::tempdir().unwrap();
    scan_into(&account, dir.path(), "json,ocsf");
    let report = read_json(&dir.path().join("bulkhead.json"));
    let findings = report["findings"].as_array().unwrap().len();
    let ocsf = dir.path().join("bulkhead.ocsf.json");
    let (ok, result) = consumer("ocsf_load.py", &[ocsf.to_str().unwrap()], Vec::new());
    eprintln!("py-ocsf-models 0.10.0 loaded {} of {} OCSF objects", result["loaded"], result["objects"]);
    assert!(ok, "objects py-ocsf-models does not load: {result:#}");
    assert_eq!(result["objects"], findings);
    assert_eq!(result["loaded"], findings);
    assert!(findings > 100, "the demo account gives a finding of every kind: {findings}");

    // The account is named by its alias; the objects carry what OCSF recommends.
    let events: Vec<Value> = serde_json::from_value(read_json(&ocsf)).unwrap();
    for event in &events {
        assert_eq!(event["cloud"]["account"]["name"], "acme-demo", "{}", event["cloud"]);
        assert_eq!(event["cloud"]["account"]["uid"], account.id.as_str());
        assert!(event["remediation"]["desc"].as_str().is_some_and(|desc| !desc.is_empty()));
        assert!(event["finding_info"]["analytic"]["uid"].as_str().unwrap().starts_with("BH"));
    }
    let mapped =
        events.iter().find(|event| event["unmapped"]["requirements"].as_array().is_some_and(|r| !r.is_empty()));
    assert!(mapped.is_some(), "some findings count towards a framework control");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn asff_findings_import_into_security_hub_and_read_back() {
    let account = demo_account();
    let dir = tempfile::tempdir().unwrap();
    scan_into(&account, dir.path(), "json,asff");
    let report = read_json(&dir.path().join("bulkhead.json"));
    let findings = report["findings"].as_array().unwrap();
    let asff_path = dir.path().join("bulkhead.asff.json");
    let asff: Vec<Value> = serde_json::from_value(read_json(&asff_path)).unwrap();
    assert_eq!(asff.len(), findings.len());
    let ids: BTreeSet<&str> = asff.iter().map(|finding| finding["Id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), asff.len(), "one Id per finding identity");

    let (ok, result) =
        consumer("securityhub_import.py", &["--endpoint", &endpoint(), asff_path.to_str().unwrap()], account.env());
    eprintln!(
        "Security Hub: {} ASFF findings imported in {} batches, {} read back",
        result["imported"], result["batches"], result["read_back"]
    );
    assert!(ok, "BatchImportFindings refused findings: {}", result["failed"]);
    assert_eq!(result["imported"], asff.len());
    assert_eq!(result["read_back"], asff.len());
    assert!(result["batches"].as_u64().unwrap() >= asff.len().div_ceil(100) as u64);

    let read_back: BTreeMap<&str, &Value> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| (finding["Id"].as_str().unwrap(), finding))
        .collect();
    assert_eq!(read_back.keys().copied().collect::<BTreeSet<_>>(), ids);
    for finding in findings {
        let id = format!(
            "bulkhead/{}/{}/{}/{}",
            finding["account_id"].as_str().unwrap(),
            finding["region"].as_str().unwrap(),
            finding["check_id"].as_str().unwrap(),
            finding["resource_id"].as_str().unwrap()
        );
        let Some(hub) = read_back.get(id.as_str()) else { continue };
        let (state, workflow, compliance) = match (finding["status"].as_str().unwrap(), finding["muted"] == true) {
            ("PASS", _) => ("ARCHIVED", "RESOLVED", "PASSED"),
            ("FAIL", false) => ("ACTIVE", "NEW", "FAILED"),
            ("FAIL", true) => ("ACTIVE", "SUPPRESSED", "FAILED"),
            (_, false) => ("ACTIVE", "NEW", "NOT_AVAILABLE"),
            (_, true) => ("ACTIVE", "SUPPRESSED", "NOT_AVAILABLE"),
        };
        assert_eq!(hub["RecordState"], state, "{id}");
        assert_eq!(hub["Workflow"]["Status"], workflow, "{id}");
        assert_eq!(hub["Compliance"]["Status"], compliance, "{id}");
        assert_eq!(hub["GeneratorId"], finding["check_id"]);
        assert_eq!(hub["AwsAccountName"], "acme-demo");
        assert_eq!(hub["Resources"][0]["Id"], finding["resource_arn"], "{id}");
    }
    let exposed = read_back
        .values()
        .find(|finding| {
            finding["Id"].as_str().unwrap().contains("/ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22/")
        })
        .expect("a security group finding");
    assert_eq!(exposed["Resources"][0]["Type"], "AwsEc2SecurityGroup");
    assert_eq!(exposed["Severity"]["Label"], "HIGH");

    // A second scan of the same account gives the same Ids: importing it
    // updates the findings in place instead of adding new ones.
    let again = tempfile::tempdir().unwrap();
    scan_into(&account, again.path(), "asff");
    let asff_again = again.path().join("bulkhead.asff.json");
    let second: Vec<Value> = serde_json::from_value(read_json(&asff_again)).unwrap();
    let ids_again: BTreeSet<&str> = second.iter().map(|finding| finding["Id"].as_str().unwrap()).collect();
    assert_eq!(ids_again, ids, "Ids are stable from scan to scan");
    let (ok, result) =
        consumer("securityhub_import.py", &["--endpoint", &endpoint(), asff_again.to_str().unwrap()], account.env());
    assert!(ok, "{}", result["failed"]);
    assert_eq!(result["read_back"], asff.len(), "the re-import updated the same findings");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn compliance_csvs_agree_with_the_json_report() {
    // The demo account fails nearly every control; the hardened one passes some.
    let mut statuses = compliance_statuses(&demo_account());
    statuses
        .extend(compliance_statuses(&Account::seeded_from(&repo_root().join("localstack/demo-account-hardened.yaml"))));
    assert!(statuses.contains("FAIL") && statuses.contains("PASS"), "{statuses:?}");
}

/// Scans the account, checks its compliance CSVs against its JSON report,
/// and returns the control statuses seen.
fn compliance_statuses(account: &Account) -> BTreeSet<String> {
    let dir = tempfile::tempdir().unwrap();
    scan_into(account, dir.path(), "json,compliance");
    let report = read_json(&dir.path().join("bulkhead.json"));
    let findings = report["findings"].as_array().unwrap();
    let ran: BTreeSet<&str> =
        report["scan"]["checks"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let mut statuses = BTreeSet::new();
    for framework in report["frameworks"].as_array().unwrap() {
        let id = framework["id"].as_str().unwrap();
        let path = dir.path().join(format!("compliance/bulkhead_{id}.csv"));
        let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
        let controls = framework["controls"].as_array().unwrap();
        assert_eq!(rows.len(), controls.len(), "{id}: a row per control");
        for (row, control) in rows.iter().zip(controls) {
            let control_id = control["id"].as_str().unwrap();
            assert_eq!((&row[0], &row[3], &row[4]), (id, control_id, control["title"].as_str().unwrap()));
            let checks: Vec<&str> = control["checks"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
            assert_eq!(&row[6], checks.join(" "), "{id} {control_id}");
            let not_run: Vec<&str> = checks.iter().copied().filter(|check| !ran.contains(check)).collect();
            assert_eq!(&row[7], not_run.join(" "));
            // The JSON report's view: the findings whose compliance names the control.
            let counted: Vec<&Value> = findings
                .iter()
                .filter(|f| f["compliance"][id].as_array().is_some_and(|ids| ids.iter().any(|c| c == control_id)))
                .collect();
            let count = |status: &str| {
                counted.iter().filter(|f| f["status"] == status && f["muted"] == false).count().to_string()
            };
            let muted = counted.iter().filter(|f| f["muted"] == true).count().to_string();
            assert_eq!(&row[8], counted.len().to_string(), "{id} {control_id}");
            assert_eq!(
                (&row[9], &row[10], &row[11], &row[12]),
                (&*count("PASS"), &*count("FAIL"), &*count("ERROR"), &*muted)
            );
            let expected = if count("FAIL") != "0" {
                "FAIL"
            } else if counted.iter().any(|f| f["status"] == "ERROR") {
                "ERROR"
            } else if !counted.is_empty() {
                "PASS"
            } else {
                "NOT_ASSESSED"
            };
            assert_eq!(&row[5], expected, "{id} {control_id}");
            statuses.insert(row[5].to_owned());
        }
    }
    statuses
}
