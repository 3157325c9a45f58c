use super::*;

const CHECK: &str = "ecs_service_fargate_latest_platform_version";

fn fargate(version: Option<&str>) -> EcsService {
    EcsService {
        launch_type: Some("FARGATE".into()),
        platform_version: version.map(str::to_owned),
        ..service(&cluster("prod"), "api")
    }
}

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &with_services(vec![fargate(None)])), Status::Pass);
    assert_eq!(status(CHECK, &with_services(vec![fargate(Some("1.4.0"))])), Status::Pass);
    assert_eq!(status(CHECK, &with_services(vec![fargate(Some("1.3.0"))])), Status::Fail);
    assert!(
        run(CHECK, &with_services(vec![service(&cluster("prod"), "ec2")])).is_empty(),
        "EC2 services are not judged"
    );
    assert_service_errors(CHECK); // Status::Error
}
