use super::*;

const CHECK: &str = "ecr_repositories_encrypted_with_kms";

#[test]
fn pass_fail_and_error() {
    let kms = Repository { encryption_type: "KMS".into(), ..repository("app") };
    assert_eq!(status(CHECK, &repositories(vec![kms])), Status::Pass);
    assert_eq!(status(CHECK, &repositories(vec![repository("app")])), Status::Fail);
    assert_eq!(status(CHECK, &repositories_denied()), Status::Error);
}
