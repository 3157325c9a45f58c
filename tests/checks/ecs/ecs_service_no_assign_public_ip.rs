use super::*;

const CHECK: &str = "ecs_service_no_assign_public_ip";

#[test]
fn pass_fail_and_error() {
    let prod = cluster("prod");
    assert_eq!(status(CHECK, &with_services(vec![service(&prod, "api")])), Status::Pass);
    let public = EcsService { assign_public_ip: Some("ENABLED".into()), ..service(&prod, "api") };
    let finding = only(CHECK, &with_services(vec![public]));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Fail, "prod/api"));
    assert!(finding.message.starts_with("Service api of cluster prod assigns"), "{}", finding.message);
    assert_service_errors(CHECK); // Status::Error
}
