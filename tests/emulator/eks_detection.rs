//! EKS clusters and node groups, GuardDuty, Inspector and ECS task sets
//! against the emulator (tests/fixtures/eks_detection.yaml).

use crate::support::Account;

const EKS_CHECKS: &str = "eks_cluster_not_publicly_accessible,eks_cluster_kms_cmk_encryption_in_secrets_enabled,\
eks_control_plane_logging_all_types_enabled,eks_cluster_uses_a_supported_version,eks_nodegroup_imdsv2_required,\
eks_cluster_access_entries_no_external_admin";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn eks_clusters_and_node_groups_fail_and_pass() {
    let account = Account::seeded("eks_detection");
    let scan = account.scan(&["--checks", EKS_CHECKS]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    let public = scan.statuses("eks_cluster_not_publicly_accessible", "eu-west-1");
    assert_eq!(public["exposed"], "FAIL");
    assert_eq!(public["hardened"], "PASS");
    assert_eq!(public["shared"], "FAIL", "limited to CIDRs, not accepted by default");
    let shared = scan.finding_mentioning("eks_cluster_not_publicly_accessible", "EKS cluster shared");
    assert!(shared["message"].as_str().unwrap().contains("203.0.113.0/24"), "{shared}");
    assert!(shared["resource_arn"].as_str().unwrap().ends_with(":cluster/shared"), "{shared}");

    let secrets = scan.statuses("eks_cluster_kms_cmk_encryption_in_secrets_enabled", "eu-west-1");
    assert_eq!((secrets["exposed"].as_str(), secrets["hardened"].as_str()), ("FAIL", "PASS"));

    let logging = scan.statuses("eks_control_plane_logging_all_types_enabled", "eu-west-1");
    assert_eq!((logging["hardened"].as_str(), logging["shared"].as_str()), ("PASS", "FAIL"));
    let partial = scan.finding_mentioning("eks_control_plane_logging_all_types_enabled", "EKS cluster shared");
    assert!(partial["message"].as_str().unwrap().contains("authenticator, controllerManager, scheduler"), "{partial}");

    let version = scan.statuses("eks_cluster_uses_a_supported_version", "eu-west-1");
    assert_eq!((version["exposed"].as_str(), version["hardened"].as_str()), ("FAIL", "PASS"));

    let imds = scan.statuses("eks_nodegroup_imdsv2_required", "eu-west-1");
    assert_eq!(imds["exposed/legacy"], "FAIL", "httpTokens optional");
    assert_eq!(imds["exposed/hops"], "FAIL", "hop limit 2");
    assert_eq!(imds["hardened/workers"], "PASS");
    assert!(!imds.contains_key("exposed/managed"), "no launch template of its own: {imds:?}");

    let access = scan.statuses("eks_cluster_access_entries_no_external_admin", "eu-west-1");
    assert_eq!(access["exposed"], "FAIL", "CONFIG_MAP: unjudged");
    assert_eq!(access["hardened"], "PASS", "the admin is in the account, the outsider only views");
    assert_eq!(access["shared"], "FAIL");
    let vendor = scan.finding_mentioning("eks_cluster_access_entries_no_external_admin", "EKS cluster shared");
    assert!(vendor["message"].as_str().unwrap().contains("999988887777:role/vendor"), "{vendor}");
    assert!(scan.statuses("eks_cluster_not_publicly_accessible", "us-east-1").is_empty(), "no cluster there");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn detection_is_judged_per_region_and_task_sets_per_task_set() {
    let account = Account::seeded("eks_detection");
    let scan = account.scan(&[
        "--checks",
        "guardduty_is_enabled,guardduty_eks_audit_log_enabled,guardduty_eks_runtime_monitoring_enabled,\
guardduty_ecs_runtime_monitoring_enabled,inspector2_is_enabled,ecs_task_set_no_assign_public_ip",
    ]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);
    for check in [
        "guardduty_is_enabled",
        "guardduty_eks_audit_log_enabled",
        "guardduty_eks_runtime_monitoring_enabled",
        "guardduty_ecs_runtime_monitoring_enabled",
        "inspector2_is_enabled",
    ] {
        assert_eq!(scan.statuses(check, "eu-west-1")["eu-west-1"], "PASS", "{check}");
        assert_eq!(scan.statuses(check, "us-east-1")["us-east-1"], "FAIL", "{check}: nothing on there");
    }
    let none = scan.finding_mentioning("guardduty_is_enabled", "GuardDuty in us-east-1");
    assert!(none["message"].as_str().unwrap().contains("no detector"), "{none}");

    let sets = scan.findings("ecs_task_set_no_assign_public_ip");
    let status_of = |service: &str| {
        sets.iter()
            .find(|finding| finding["resource_id"].as_str().unwrap().starts_with(&format!("deploy/{service}/")))
            .map(|finding| finding["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status_of("blue").as_deref(), Some("FAIL"), "{sets:#?}");
    assert_eq!(status_of("green").as_deref(), Some("PASS"), "{sets:#?}");
}
