use super::*;

const CHECK: &str = "ecr_repositories_lifecycle_policy_enabled";

#[test]
fn pass_fail_and_error() {
    let with_policy =
        Repository { lifecycle_policy: Collected::Ok(Some(r#"{"rules":[{}]}"#.into())), ..repository("app") };
    assert_eq!(status(CHECK, &repositories(vec![with_policy])), Status::Pass);
    assert_eq!(status(CHECK, &repositories(vec![repository("app")])), Status::Fail);
    let unknown = Repository {
        lifecycle_policy: Collected::Failed(denied(Service::Ecr, "GetLifecyclePolicy")),
        ..repository("app")
    };
    let finding = only(CHECK, &repositories(vec![unknown]));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "app"));
    assert_eq!(status(CHECK, &repositories_denied()), Status::Error);
    for unreadable in ["{not json", r#"{"rulez":[]}"#, "[]"] {
        let odd = Repository { lifecycle_policy: Collected::Ok(Some(unreadable.into())), ..repository("app") };
        assert_eq!(status(CHECK, &repositories(vec![odd])), Status::Error, "{unreadable}");
    }
}
