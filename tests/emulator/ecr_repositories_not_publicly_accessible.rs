use crate::support::Account;

const CHECK: &str = "ecr_repositories_not_publicly_accessible";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn public_policies_fail_and_narrowed_or_absent_ones_pass() {
    let account = Account::seeded(CHECK);
    let scan = account.scan(&["--checks", CHECK]);

    let eu = scan.statuses(CHECK, "eu-west-1");
    assert_eq!(eu["public-star"], "FAIL");
    assert_eq!(eu["public-aws-list"], "FAIL");
    assert_eq!(eu["org-only"], "PASS");
    assert_eq!(eu["named-account"], "PASS");
    assert_eq!(eu["no-policy"], "PASS");
    assert_eq!(eu.len(), 5);

    // IfExists does not narrow: an absent key passes the condition.
    assert_eq!(scan.statuses(CHECK, "us-east-1")["public-if-exists"], "FAIL");
    assert!(scan.statuses(CHECK, "ap-southeast-2").is_empty());

    let public = scan.finding_mentioning(CHECK, "public-star");
    assert!(public["message"].as_str().unwrap().contains("AnyoneCanPull"), "{public}");
    assert_eq!(public["resource_arn"], format!("arn:aws:ecr:eu-west-1:{}:repository/public-star", account.id));
    assert_eq!(public["severity"], "critical");
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
}
