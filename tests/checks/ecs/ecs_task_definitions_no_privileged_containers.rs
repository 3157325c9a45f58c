use super::*;

const CHECK: &str = "ecs_task_definitions_no_privileged_containers";

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &with_container(|_| {})), Status::Pass);
    let finding = only(CHECK, &with_container(|c| c.privileged = Some(true)));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Fail, "app:1"));
    assert!(
        finding.message.starts_with("Task definition app:1 (the latest ACTIVE revision of its family): "),
        "{}",
        finding.message
    );
    assert_task_definition_errors(CHECK); // Status::Error three ways
}
