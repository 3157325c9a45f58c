use super::*;

const CHECK: &str = "iam_aws_attached_policy_no_administrative_privileges";

#[test]
fn pass_fail_and_error() {
    let admin = managed_policy("Admin", r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
    let reader =
        managed_policy("Reader", r#"{"Statement":[{"Effect":"Allow","Action":"ecr:Describe*","Resource":"*"}]}"#);
    let broken = managed_policy("Broken", "{");
    let mut unread = managed_policy("Unread", "");
    unread.document = iam_denied("GetPolicyVersion");
    let findings = run(CHECK, &with_iam(|iam| iam.aws_policies = Collected::Ok(vec![admin, reader, broken, unread])));
    let verdicts: Vec<(&str, Status)> = findings.iter().map(|f| (f.resource_id.as_str(), f.status)).collect();
    assert_eq!(
        verdicts,
        [("Admin", Status::Fail), ("Reader", Status::Pass), ("Broken", Status::Error), ("Unread", Status::Error)]
    );
    let listing = only(CHECK, &with_iam(|iam| iam.aws_policies = iam_denied("ListPolicies")));
    assert_eq!((listing.status, listing.resource_id.as_str()), (Status::Error, "policy/*"));
}
