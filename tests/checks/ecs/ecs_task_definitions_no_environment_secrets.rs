use super::*;

const CHECK: &str = "ecs_task_definitions_no_environment_secrets";

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &with_container(|_| {})), Status::Pass);
    let finding = only(
        CHECK,
        &with_container(|c| {
            c.environment.push(bulkhead::inventory::ecs::EnvironmentVariable::new(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ))
        }),
    );
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Fail, "app:1"));
    assert!(
        finding.message.starts_with("Task definition app:1 (the latest ACTIVE revision of its family): "),
        "{}",
        finding.message
    );
    assert_task_definition_errors(CHECK); // Status::Error three ways
}

#[test]
fn the_finding_names_the_variable_never_the_value() {
    let finding = only(
        CHECK,
        &with_container(|c| {
            c.environment.push(bulkhead::inventory::ecs::EnvironmentVariable::new(
                "GITHUB_TOKEN",
                &format!("ghp_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
            ))
        }),
    );
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("GITHUB_TOKEN") && !finding.message.contains("ghp_"), "{}", finding.message);
}
