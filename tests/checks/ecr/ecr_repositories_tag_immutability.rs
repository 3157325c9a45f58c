use super::*;

const CHECK: &str = "ecr_repositories_tag_immutability";

#[test]
fn pass_fail_and_error() {
    let immutable = Repository { tag_mutability: "IMMUTABLE".into(), ..repository("app") };
    assert_eq!(status(CHECK, &repositories(vec![immutable])), Status::Pass);
    let mutable = only(CHECK, &repositories(vec![repository("app")]));
    assert_eq!(
        (mutable.status, mutable.resource_id.as_str(), mutable.resource_name.as_str()),
        (Status::Fail, "app", "app")
    );
    assert_eq!(status(CHECK, &repositories_denied()), Status::Error);
}
