//! ECS service and cluster checks against the emulator.

use crate::support::Account;

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn services_and_clusters_fail_and_pass() {
    let account = Account::seeded("ecs");
    let scan = account.scan(&[
        "--checks",
        "ecs_service_no_assign_public_ip,ecs_service_fargate_latest_platform_version,ecs_cluster_container_insights_enabled",
    ]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    let public = scan.statuses("ecs_service_no_assign_public_ip", "eu-west-1");
    assert_eq!(public["prod/api"], "FAIL");
    assert_eq!(public["prod/edge"], "PASS");
    assert_eq!(public["dev/batch"], "PASS", "no awsvpc configuration");

    let platform = scan.statuses("ecs_service_fargate_latest_platform_version", "eu-west-1");
    assert_eq!(platform["prod/api"], "FAIL", "1.3.0");
    assert_eq!(platform["prod/edge"], "PASS", "LATEST");
    assert!(!platform.contains_key("dev/batch"), "EC2 launch type is not judged: {platform:?}");

    let insights = scan.statuses("ecs_cluster_container_insights_enabled", "eu-west-1");
    assert_eq!(insights["prod"], "PASS");
    assert_eq!(insights["dev"], "FAIL");
    let api = scan.finding_mentioning("ecs_service_no_assign_public_ip", "Service api");
    assert!(api["resource_arn"].as_str().unwrap().contains(":service/"), "{api}");
    // The other regions have no clusters: nothing to judge, nothing failed.
    assert!(scan.statuses("ecs_cluster_container_insights_enabled", "us-east-1").is_empty());
}
