//! Fleet scans of an AWS Organization (`scan --organization`, `accounts`)
//! against the organization of `tests/fixtures/organization.yaml`, seeded
//! once for the module: the scans only read it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{Account, FaultProxy, bulkhead, endpoint, text};

const CHECK: &str = "ec2_networkacl_allow_ingress_tcp_port_22";
const ROLE: [&str; 6] =
    ["--role-name", "bulkhead-audit", "--role-path", "/audit/", "--external-id", "bulkhead-fleet-test"];

fn organization() -> &'static Account {
    static ORGANIZATION: OnceLock<Account> = OnceLock::new();
    ORGANIZATION.get_or_init(|| Account::seeded("organization"))
}

/// The member's account id, by its name in the fixture.
fn member(name: &str) -> String {
    text(&organization().organization["accounts"][name])
}

fn unit(name: &str) -> String {
    text(&organization().organization["units"][name])
}

fn sorted(ids: &[String]) -> Vec<String> {
    ids.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect()
}

/// `bulkhead accounts ARGS --format json` as the management account.
fn accounts(args: &[&str]) -> (i32, Value, String) {
    let output = bulkhead()
        .args(["accounts", "--region", "us-east-1", "--endpoint-url", &endpoint(), "--format", "json"])
        .args(args)
        .envs(organization().env())
        .output()
        .expect("running bulkhead");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let listed = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), listed, stderr)
}

fn ids(listed: &Value) -> Vec<String> {
    listed.as_array().unwrap().iter().map(|account| text(&account["account_id"])).collect()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_active_account_and_the_caller_are_scanned_and_a_missing_role_is_error() {
    let management = organization();
    let scan = management.scan(
        &[&["--organization", "--checks", CHECK, "--max-attempts", "2", "--output-formats", "json,ocsf"], &ROLE[..]]
            .concat(),
    );

    // prod-c's role is missing (ERROR), and FAILs pass the gate: a certain
    // failure wins over the incomplete scan.
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    let expected = sorted(&[
        management.id.clone(),
        member("loose"),
        member("prod-a"),
        member("prod-b"),
        member("prod-c"),
        member("audit-1"),
    ]);
    assert_eq!(scan.report["scan"]["accounts"], serde_json::json!(expected), "sandbox is SUSPENDED: never scanned");

    let mut statuses: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for finding in scan.findings(CHECK) {
        *statuses.entry(text(&finding["account_id"])).or_default().entry(text(&finding["status"])).or_default() += 1;
    }
    // The default NACL of each of 3 regions; prod-a has one more, open to SSH.
    assert_eq!(statuses[&management.id], BTreeMap::from([("FAIL".to_owned(), 3)]), "{statuses:?}");
    assert_eq!(statuses[&member("prod-a")], BTreeMap::from([("FAIL".to_owned(), 4)]), "{statuses:?}");
    assert_eq!(statuses[&member("prod-c")], BTreeMap::from([("ERROR".to_owned(), 1)]), "{statuses:?}");
    assert_eq!(statuses.len(), 6, "{statuses:?}");
    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["operation"], "AssumeRole");
    assert!(text(&errors[0]["message"]).contains("role/audit/bulkhead-audit"), "{errors:#?}");

    // Named by Organizations where it names the account: prod-b's IAM alias loses.
    let names = ocsf_account_names(&scan.ocsf);
    assert_eq!(names[&member("prod-b")], "prod-b", "{names:?}");
    assert_eq!(names[&member("prod-c")], "prod-c", "an unreachable account keeps its name: {names:?}");
    assert_eq!(names[&management.id], "master", "moto's name for the management account: {names:?}");
}

/// `account id -> cloud.account.name` over the OCSF report's events.
fn ocsf_account_names(events: &[Value]) -> BTreeMap<String, String> {
    events
        .iter()
        .map(|event| (text(&event["cloud"]["account"]["uid"]), text(&event["cloud"]["account"]["name"])))
        .collect()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn units_select_their_nested_accounts_and_exclusions_apply() {
    let management = organization();
    let units = unit("workloads");
    let excluded = member("prod-c");
    let scan = management.scan(
        &[
            &["--organization", "--organizational-units", &units, "--exclude-accounts", &excluded, "--checks", CHECK],
            &ROLE[..],
        ]
        .concat(),
    );
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    let expected = sorted(&[member("prod-a"), member("prod-b")]);
    assert_eq!(scan.report["scan"]["accounts"], serde_json::json!(expected));
}

/// Exactly the accounts under the units asked for: the caller's own account
/// only when it sits under one of them. `accounts` and the report say which
/// units were selected.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn units_select_exactly_their_accounts_and_are_named() {
    let management = organization();
    let units = [unit("prod"), unit("security")];
    let output = bulkhead()
        .args(["accounts", "--organization", "--region", "us-east-1", "--endpoint-url", &endpoint()])
        .args(["--organizational-units", &units.join(",")])
        .envs(management.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let listed = String::from_utf8_lossy(&output.stdout);
    let under = sorted(&[member("prod-b"), member("prod-c"), member("audit-1")]);
    let ids: Vec<String> =
        listed.lines().skip(1).map(|line| line.split_whitespace().next().unwrap().to_owned()).collect();
    assert_eq!(ids, under, "the management account sits under neither unit:\n{listed}");
    assert!(
        stderr.contains(&format!("under the organizational units {}, {} (nested units included)", units[0], units[1])),
        "{stderr}"
    );

    let scan = management.scan(
        &[&["--organization", "--organizational-units", &unit("security"), "--checks", CHECK], &ROLE[..]].concat(),
    );
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    assert_eq!(scan.report["scan"]["accounts"], serde_json::json!([member("audit-1")]));
    assert_eq!(scan.report["scan"]["organizational_units"], serde_json::json!([unit("security")]));

    // A scan that selected no units has no such key.
    let own = management.scan(&["--checks", CHECK]);
    assert!(own.report["scan"].get("organizational_units").is_none(), "{}", own.report["scan"]);
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_wrong_external_id_leaves_every_member_error_and_the_caller_scanned() {
    let management = organization();
    let scan = management.scan(&[
        "--organization",
        "--checks",
        CHECK,
        "--role-name",
        "bulkhead-audit",
        "--role-path",
        "/audit/",
        "--external-id",
        "not-the-one",
        "--max-attempts",
        "1",
    ]);
    // Its FAILs pass the gate: a certain failure wins over the incomplete scan.
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    let findings = scan.findings(CHECK);
    let of = |account: &str| -> Vec<String> {
        findings.iter().filter(|f| text(&f["account_id"]) == account).map(|f| text(&f["status"])).collect()
    };
    assert_eq!(of(&member("audit-1")), ["ERROR"]);
    assert_eq!(of(&management.id), ["FAIL", "FAIL", "FAIL"]);
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn accounts_lists_the_fleet_as_a_plain_json_array() {
    let management = organization();
    let (code, listed, stderr) = accounts(&["--organization"]);
    assert_eq!(code, 0, "{stderr}");
    let expected = sorted(&[
        management.id.clone(),
        member("loose"),
        member("prod-a"),
        member("prod-b"),
        member("prod-c"),
        member("audit-1"),
    ]);
    assert_eq!(ids(&listed), expected, "sorted by id, SUSPENDED left out");
    let prod_a = listed.as_array().unwrap().iter().find(|account| account["account_id"] == member("prod-a")).unwrap();
    assert_eq!(
        prod_a,
        &serde_json::json!({
            "account_id": member("prod-a"),
            "name": "prod-a",
            "email": "prod-a@example.com",
            "state": "ACTIVE",
            // ListAccounts does not say where an account sits.
            "parent_id": null,
        })
    );

    // Walking from the root gives every account its parent.
    let root = text(&management.organization["root"]);
    let (code, walked, stderr) = accounts(&["--organization", "--organizational-units", &root]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&walked), expected);
    let parent_of: BTreeMap<String, String> = walked
        .as_array()
        .unwrap()
        .iter()
        .map(|account| (text(&account["account_id"]), text(&account["parent_id"])))
        .collect();
    assert_eq!(parent_of[&member("prod-b")], unit("prod"));
    assert_eq!(parent_of[&member("prod-a")], unit("workloads"));
    assert_eq!(parent_of[&member("loose")], root);

    let (code, nested, stderr) = accounts(&[
        "--organization",
        "--organizational-units",
        &format!("{},{}", unit("prod"), unit("security")),
        "--exclude-accounts",
        &management.id,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&nested), sorted(&[member("prod-b"), member("prod-c"), member("audit-1")]));
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn discovery_that_fails_is_fatal_before_any_scan() {
    let outsider = Account::seeded("empty");
    let dir = tempfile::tempdir().unwrap();
    let output = bulkhead()
        .args(["scan", "--organization", "--role-name", "bulkhead-audit", "--checks", CHECK])
        .args(["--region", "us-east-1", "--endpoint-url", &endpoint(), "--output-dir", dir.path().to_str().unwrap()])
        .envs(outsider.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("listing the organization's accounts as arn:aws:sts::"), "{stderr}");
    assert!(stderr.contains("AWSOrganizationsNotInUseException"), "{stderr}");
    assert!(!dir.path().join("bulkhead.json").exists(), "no account was scanned");

    let proxy = FaultProxy::start(&["--deny", "organizations"]);
    let output = bulkhead()
        .args(["accounts", "--organization", "--region", "us-east-1", "--endpoint-url", &proxy.endpoint])
        .args(["--max-attempts", "1"])
        .envs(organization().env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("organizations:ListAccounts in us-east-1 failed (access denied)"), "{stderr}");
    assert!(stderr.contains("hint: the credentials may not call organizations:ListAccounts"), "{stderr}");
}

#[test]
fn fleet_flags_are_checked_before_any_call() {
    for args in [
        vec!["scan", "--organization", "--accounts", "123456789012", "--role-name", "r"],
        vec!["scan", "--organization"],
        vec!["scan", "--organizational-units", "ou-ab12-cdef3456", "--role-name", "r"],
        vec!["scan", "--organization", "--role-name", "r", "--organizational-units", "ou-nope"],
        vec!["scan", "--organization", "--role-name", "r", "--role-duration", "899"],
        vec!["scan", "--organization", "--role-name", "r", "--role-duration", "43201"],
        vec!["scan", "--organization", "--role-name", "r", "--role-path", "audit"],
        vec!["scan", "--organization", "--role-name", "r", "--exclude-accounts", "12"],
        vec!["scan", "--external-id", "x-y-z"],
        vec!["scan", "--accounts", "123456789012", "--role-name", "r", "--exclude-accounts", "123456789012"],
        vec!["accounts"],
        vec!["accounts", "--organization", "--format", "yaml"],
    ] {
        let output = bulkhead().args(&args).args(["--endpoint-url", "http://127.0.0.1:9"]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// `accounts` ends quietly when its reader has gone (`| head -1`).
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn accounts_ends_quietly_on_a_closed_pipe() {
    use crate::closed_pipe::{assert_quiet_on_a_closed_pipe, binary, with_stdout_closed};
    for format in ["text", "json"] {
        let args = ["accounts", "--organization", "--region", "us-east-1", "--format", format];
        let output =
            with_stdout_closed(binary().args(args).args(["--endpoint-url", &endpoint()]).envs(organization().env()));
        assert_quiet_on_a_closed_pipe(&args, &output);
    }
}
