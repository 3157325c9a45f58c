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
    assert!(finding.message.contains("open (ecr:BatchGetImage)"), "{}", finding.message);
    assert_eq!(status(CHECK, &repositories(vec![with_policy("{not json")])), Status::Error);
    let unread =
        Repository { policy: Collected::Failed(denied(Service::Ecr, "GetRepositoryPolicy")), ..repository("app") };
    assert_eq!(status(CHECK, &repositories(vec![unread])), Status::Error);
}
