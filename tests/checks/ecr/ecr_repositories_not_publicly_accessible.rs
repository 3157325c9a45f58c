use super::*;

const CHECK: &str = "ecr_repositories_not_publicly_accessible";

fn with_policy(policy: &str) -> Repository {
    Repository { policy: Collected::Ok(Some(policy.into())), ..repository("app") }
}

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &repositories(vec![repository("app")])), Status::Pass, "no policy");
    let named = with_policy(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"ecr:*"}]}"#,
    );
    assert_eq!(status(CHECK, &repositories(vec![named])), Status::Pass);
    let public =
        with_policy(r#"{"Statement":[{"Sid":"open","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}"#);
    let finding = only(CHECK, &repositories(vec![public]));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("any AWS account (statement open)"), "{}", finding.message);
    assert_eq!(status(CHECK, &repositories(vec![with_policy("{not json")])), Status::Error);
    let unread =
        Repository { policy: Collected::Failed(denied(Service::Ecr, "GetRepositoryPolicy")), ..repository("app") };
    assert_eq!(status(CHECK, &repositories(vec![unread])), Status::Error);
}

/// The data-perimeter patterns: the verdict follows from the whole policy.
#[test]
fn conditions_and_denies_narrow_who_gets_in() {
    let verdict = |policy: &str| status(CHECK, &repositories(vec![with_policy(policy)]));
    let org = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage",
        "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#;
    assert_eq!(verdict(org), Status::Pass);
    let perimeter = r#"{"Statement":[
        {"Effect":"Allow","Principal":"*","Action":"ecr:*"},
        {"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#;
    assert_eq!(verdict(perimeter), Status::Pass, "the Deny leaves only the organisation");
    let if_exists = r#"{"Statement":[
        {"Effect":"Allow","Principal":"*","Action":"ecr:*"},
        {"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#;
    assert_eq!(verdict(if_exists), Status::Pass, "IfExists is true on an absent key: anonymous callers are denied too");
    let null_exempt = r#"{"Statement":[
        {"Effect":"Allow","Principal":"*","Action":"ecr:*"},
        {"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"},
            "Null":{"aws:PrincipalOrgID":"false"}}}]}"#;
    assert_eq!(
        verdict(null_exempt),
        Status::Fail,
        "the Deny only applies where the key exists: anonymous callers get in"
    );
    let any_org = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*",
        "Condition":{"StringLike":{"aws:PrincipalOrgID":"*"}}}]}"#;
    assert_eq!(verdict(any_org), Status::Fail, "a * that matches everything narrows nothing");
    let not_principal = r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"ecr:*"}]}"#;
    assert_eq!(verdict(not_principal), Status::Fail);
}
