use super::*;

const CHECK: &str = "ecs_running_tasks_images_from_trusted_registries";

#[test]
fn judges_what_runs_not_what_is_declared() {
    let own = own_ecr_image("app", "v1");
    let finding = only(CHECK, &with_running_task(&own, |_| {}));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Pass, "prod/00000000000000000000000000000001"));
    assert!(finding.message.starts_with("Task prod/"), "{}", finding.message);
    assert!(finding.message.contains("(service web of cluster prod, task definition app:1)"), "{}", finding.message);

    // The task definition names the account's ECR, but the task started from Docker Hub.
    let drifted = with_running_task(&own, |task| task.containers[0].image = "nginx:1.27".into());
    let finding = only(CHECK, &drifted);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("container web runs nginx:1.27 from docker.io"), "{}", finding.message);

    let unreadable = with_running_task(&own, |task| task.containers[0].image = "bad image".into());
    assert_eq!(status(CHECK, &unreadable), Status::Error);
    assert_running_task_errors(CHECK, &own);
}

#[test]
fn a_cluster_with_no_running_task_has_no_finding() {
    let mut account = with_running_task(&own_ecr_image("app", "v1"), |_| {});
    let Collected::Ok(clusters) = &mut account.regions.get_mut(REGION).unwrap().ecs.clusters else { unreachable!() };
    clusters[0].running_tasks = Collected::Ok(Vec::new());
    assert_eq!(run(CHECK, &account).len(), 0);
}
