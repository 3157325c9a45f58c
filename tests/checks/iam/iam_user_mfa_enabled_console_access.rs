use super::*;

const CHECK: &str = "iam_user_mfa_enabled_console_access";

#[test]
fn pass_fail_and_error() {
    let mut console = user("alice");
    console.password_enabled = true;
    let mut with_mfa = console.clone();
    with_mfa.user = "bob".into();
    with_mfa.mfa_active = true;
    let findings = run(CHECK, &with_iam(|iam| iam.credential_report = report(vec![console, with_mfa, user("ci")])));
    let verdicts: Vec<(&str, Status)> = findings.iter().map(|f| (f.resource_id.as_str(), f.status)).collect();
    assert_eq!(verdicts, [("alice", Status::Fail), ("bob", Status::Pass), ("ci", Status::Pass)]);
    let finding = only(CHECK, &with_iam(|iam| iam.credential_report = iam_denied("GenerateCredentialReport")));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "user/*"));
}
