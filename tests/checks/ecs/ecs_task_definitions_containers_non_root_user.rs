use super::*;

const CHECK: &str = "ecs_task_definitions_containers_non_root_user";

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &with_container(|_| {})), Status::Pass);
    let finding = only(CHECK, &with_container(|c| c.user = Some("0:0".into())));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Fail, "app:1"));
    assert!(
        finding.message.starts_with("Task definition app:1 (the latest ACTIVE revision of its family): "),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("its task definition's user"), "{}", finding.message);
    assert_task_definition_errors(CHECK); // Status::Error three ways
}

/// With no user in the task definition, the image's USER decides, and the
/// message says so.
#[test]
fn the_image_decides_when_the_task_definition_sets_no_user() {
    let by_image = only(CHECK, &with_image_config(|config| config.user = Some("1000:1000".into())));
    assert_eq!(by_image.status, Status::Pass, "{}", by_image.message);
    assert!(
        by_image.message.contains("runs as 1000:1000 (no user in the task definition; the image"),
        "{}",
        by_image.message
    );

    let no_user = only(CHECK, &with_image_config(|config| config.user = None));
    assert_eq!(no_user.status, Status::Fail);
    assert!(no_user.message.contains("sets no USER either (the image's config decided: root)"), "{}", no_user.message);
    let root = only(CHECK, &with_image_config(|config| config.user = Some("root".into())));
    assert_eq!(root.status, Status::Fail);

    // The task definition's user wins over the image's.
    let mut account = with_image_config(|config| config.user = Some("app".into()));
    let region = account.regions.get_mut(REGION).unwrap();
    let Collected::Ok(entries) = &mut region.ecs.task_definitions else { unreachable!() };
    let Collected::Ok(definition) = &mut entries[0].definition else { unreachable!() };
    definition.containers[0].user = Some("0".into());
    assert_eq!(status(CHECK, &account), Status::Fail);

    // An image bulkhead could not read is ERROR, never PASS or FAIL.
    let unread = only(CHECK, &with_registry_image(Collected::Failed(denied(Service::Ecr, "BatchGetImage"))));
    assert_eq!(unread.status, Status::Error);
    assert!(
        unread.message.contains("could not be read") && unread.message.contains("BatchGetImage"),
        "{}",
        unread.message
    );
    let mut not_collected = with_image_config(|_| {});
    not_collected.registry_images = Collected::NotRequested;
    assert_eq!(status(CHECK, &not_collected), Status::Error);

    // Images from elsewhere are not read: no user there still fails.
    let hub = only(
        CHECK,
        &with_container(|c| {
            c.user = None;
            c.image = "nginx:1.27".into();
        }),
    );
    assert_eq!(hub.status, Status::Fail);
    assert!(hub.message.contains("not in this account's ECR"), "{}", hub.message);
}
