//! Several accounts in one scan, each through a role assumed in it.

use std::collections::BTreeMap;

use crate::support::{Account, FaultProxy, text};

const CHECK: &str = "ec2_networkacl_allow_ingress_tcp_port_22";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_account_is_scanned_through_its_role() {
    let first = Account::seeded("empty");
    let second = Account::seeded("ec2_networkacl_allow_ingress");
    let accounts = format!("{},{}", first.id, second.id);
    let scan = first.scan(&["--accounts", &accounts, "--role-name", "bulkhead-scan", "--checks", CHECK]);

    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    let mut expected = vec![first.id.clone(), second.id.clone()];
    expected.sort();
    assert_eq!(scan.report["scan"]["accounts"], serde_json::json!(expected));
    let mut per_account: BTreeMap<String, usize> = BTreeMap::new();
    for finding in scan.findings(CHECK) {
        *per_account.entry(text(&finding["account_id"])).or_default() += 1;
        assert!(text(&finding["resource_arn"]).contains(&text(&finding["account_id"])), "{finding}");
    }
    // The default NACL of each of 3 regions, plus the second account's five custom NACLs.
    assert_eq!(per_account[&first.id], 3, "{per_account:?}");
    assert_eq!(per_account[&second.id], 3 + 5, "{per_account:?}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_account_whose_role_cannot_be_assumed_is_error_not_absent() {
    let first = Account::seeded("empty");
    let proxy = FaultProxy::start(&["--deny", "sts:AssumeRole"]);
    let accounts = format!("{},{}", first.id, "210987654321");
    let scan = first.scan_through(
        &proxy.endpoint,
        &["--accounts", &accounts, "--role-name", "bulkhead-scan", "--checks", CHECK, "--max-attempts", "1"],
    );

    assert_eq!(scan.exit_code, 4, "{}", scan.stderr);
    let findings = scan.findings(CHECK);
    assert_eq!(findings.len(), 2, "one ERROR per account: {findings:#?}");
    for finding in findings {
        assert_eq!(finding["status"], "ERROR");
        assert_eq!(finding["resource_id"], finding["account_id"]);
        assert!(text(&finding["message"]).contains("bulkhead-scan"), "{finding}");
    }
    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors.iter().all(|error| error["operation"] == "AssumeRole"));
}

#[test]
fn accounts_need_a_role_name_and_valid_ids() {
    for args in
        [vec!["--accounts", "123456789012"], vec!["--accounts", "12345", "--role-name", "r"], vec!["--role-name", "r"]]
    {
        let output = crate::support::bulkhead()
            .args(["scan", "--endpoint-url", "http://127.0.0.1:9"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
}
