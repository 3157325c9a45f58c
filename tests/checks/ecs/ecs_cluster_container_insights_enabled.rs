use super::*;

const CHECK: &str = "ecs_cluster_container_insights_enabled";

fn with_cluster(insights: Option<&str>) -> AccountInventory {
    let cluster = Cluster { container_insights: insights.map(str::to_owned), ..cluster("prod") };
    account_with(|region| region.ecs.clusters = Collected::Ok(vec![cluster]))
}

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &with_cluster(Some("enhanced"))), Status::Pass);
    assert_eq!(status(CHECK, &with_cluster(Some("disabled"))), Status::Fail);
    assert_eq!(status(CHECK, &with_cluster(None)), Status::Fail);
    let listing = account_with(|region| region.ecs.clusters = Collected::Failed(denied(Service::Ecs, "ListClusters")));
    assert_eq!(status(CHECK, &listing), Status::Error);
    assert_undescribed_cluster_is_error(CHECK);
}
