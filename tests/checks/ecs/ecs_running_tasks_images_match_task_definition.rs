use super::*;

const CHECK: &str = "ecs_running_tasks_images_match_task_definition";

fn digest(hex: char) -> String {
    format!("sha256:{}", hex.to_string().repeat(64))
}

/// `app:1` naming `app:v1` by tag, which points at `sha256:ddd…` now, run
/// with `running` as its digest.
fn tag_running(running: Option<String>) -> AccountInventory {
    let reference = own_ecr_image("app", "v1");
    let mut account = with_running_task(&reference, |task| task.containers[0].image_digest = running);
    account.registry_images = Collected::Ok(vec![registry_image(&reference, Collected::Ok(image_config()))]);
    account
}

#[test]
fn a_tag_that_moved_under_a_running_task_fails() {
    assert_eq!(status(CHECK, &tag_running(Some(digest('d')))), Status::Pass);

    let finding = only(CHECK, &tag_running(Some(digest('e'))));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains(&format!("container web runs {}", digest('e'))), "{}", finding.message);
    assert!(finding.message.contains(&format!("now points at {}: the tag moved", digest('d'))), "{}", finding.message);

    assert_eq!(status(CHECK, &tag_running(None)), Status::Error, "no digest reported yet");
}

#[test]
fn a_pinned_digest_is_compared_as_pinned() {
    let pinned = format!("{}@{}", own_ecr_image("app", "v1"), digest('a'));
    assert_eq!(status(CHECK, &with_running_task(&pinned, |_| {})), Status::Pass);
    let other = with_running_task(&pinned, |task| task.containers[0].image_digest = Some(digest('b')));
    let finding = only(CHECK, &other);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("but its task definition pins"), "{}", finding.message);
}

#[test]
fn tags_of_other_registries_are_not_judged() {
    let account = with_running_task("nginx:1.27", |task| task.containers[0].image_digest = Some(digest('f')));
    assert_eq!(run(CHECK, &account).len(), 0, "not applicable: bulkhead reads no other registry");
}

#[test]
fn what_could_not_be_read_is_an_error() {
    let mut unread = tag_running(Some(digest('d')));
    unread.registry_images = Collected::Failed(denied(Service::Ecr, "BatchGetImage"));
    assert_eq!(status(CHECK, &unread), Status::Error);

    let mut broken = tag_running(Some(digest('d')));
    let Collected::Ok(images) = &mut broken.registry_images else { unreachable!() };
    images[0].config = Collected::Failed(denied(Service::Ecr, "GetDownloadUrlForLayer"));
    assert_eq!(status(CHECK, &broken), Status::Error);

    let mut undefined = tag_running(Some(digest('d')));
    undefined.regions.get_mut(REGION).unwrap().ecs.task_definitions = Collected::Ok(Vec::new());
    let finding = only(CHECK, &undefined);
    assert_eq!(finding.status, Status::Error);
    assert!(finding.message.contains("its task definition app:1 was not collected"), "{}", finding.message);
    assert_running_task_errors(CHECK, &own_ecr_image("app", "v1"));
}
