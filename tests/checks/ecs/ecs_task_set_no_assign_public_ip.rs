use bulkhead::inventory::ecs::TaskSet;

use super::*;

const CHECK: &str = "ecs_task_set_no_assign_public_ip";

fn with_task_set(assign: Option<&str>) -> AccountInventory {
    let mut web = service(&cluster("prod"), "web");
    web.task_sets = vec![TaskSet {
        id: "prod/web/ecs-svc/1".into(),
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-set/prod/web/ecs-svc/1"),
        status: Some("PRIMARY".into()),
        assign_public_ip: assign.map(str::to_owned),
    }];
    with_services(vec![web])
}

#[test]
fn pass_and_fail() {
    let finding = only(CHECK, &with_task_set(Some("ENABLED")));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Fail, "prod/web/ecs-svc/1"));
    assert_eq!(status(CHECK, &with_task_set(Some("DISABLED"))), Status::Pass);
    assert_eq!(status(CHECK, &with_task_set(None)), Status::Pass);
}
