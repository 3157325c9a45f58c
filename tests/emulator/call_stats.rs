//! API-call accounting: the report's `stats` block and `--stats`, against an
//! account whose every resource kind costs a known number of calls.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::Account;

/// Calls per `service:Operation`, summed over regions.
pub fn calls_by_operation(report: &Value) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for op in report["scan"]["stats"]["operations"].as_array().expect("a stats block") {
        let key = format!("{}:{}", op["service"].as_str().unwrap(), op["operation"].as_str().unwrap());
        *calls.entry(key).or_default() += op["calls"].as_u64().unwrap();
    }
    calls
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_operation_makes_its_minimum_number_of_calls() {
    let account = Account::seeded("call_stats");
    let scan = account.scan(&["--regions", "eu-west-1", "--stats"]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    let expected: BTreeMap<String, u64> = [
        ("sts:GetCallerIdentity", 1),
        ("ec2:DescribeRegions", 1),
        ("ec2:DescribeSecurityGroups", 1),
        ("ec2:DescribeNetworkAcls", 1),
        ("ec2:DescribeNetworkInterfaces", 1),
        // Where IPv6 leads (exposure), and the network evidence: one listing each per region.
        ("ec2:DescribeRouteTables", 1),
        ("ec2:DescribeVpcs", 1),
        ("ec2:DescribeFlowLogs", 1),
        ("ecr:DescribeRepositories", 1),
        // One batch for all three repositories, not one call each.
        ("ecr:BatchGetRepositoryScanningConfiguration", 1),
        ("ecr:GetRegistryScanningConfiguration", 1),
        ("ecr:GetRegistryPolicy", 1),
        // No signing configuration (SigningConfigurationNotFoundException), so
        // no DescribeImageSigningStatus for any image, signed or not.
        ("ecr:GetSigningConfiguration", 1),
        // What reaches the services (the exposure check): one listing each per
        // region; no load balancer here, so no DescribeListeners, no
        // DescribeLoadBalancerAttributes, and no WAFv2 call.
        ("elasticloadbalancing:DescribeLoadBalancers", 1),
        ("elasticloadbalancing:DescribeTargetGroups", 1),
        // ECR has no batch call for these: one per repository.
        ("ecr:GetRepositoryPolicy", 3),
        ("ecr:GetLifecyclePolicy", 3),
        // One per repository, not per image; scan results come with the listing.
        ("ecr:DescribeImages", 3),
        // Only the notation-signed image: the emulator's listing, unlike
        // ECR's, does not say a referrer's artifact type; cosign tags need nothing.
        ("ecr:ListImageReferrers", 1),
        ("ecs:ListClusters", 1),
        ("ecs:DescribeClusters", 1),
        // No EKS cluster, so no DescribeCluster, node group or access entry call.
        ("eks:ListClusters", 1),
        // No detector here, so no GetDetector; Inspector's status for the account once.
        ("guardduty:ListDetectors", 1),
        ("inspector2:BatchGetAccountStatus", 1),
        ("ecs:ListServices", 1),
        // 11 services, 10 per call.
        ("ecs:DescribeServices", 2),
        ("ecs:ListTasks", 1),
        ("ecs:ListTaskDefinitionFamilies", 1),
        // The latest revision of both families, plus api:1 that a service still runs.
        ("ecs:DescribeTaskDefinition", 3),
        ("cloudtrail:DescribeTrails", 1),
        ("cloudtrail:GetTrailStatus", 1),
        ("cloudtrail:GetEventSelectors", 1),
        ("iam:GetAccountSummary", 1),
        // The account's name for the reports, whatever checks run.
        ("iam:ListAccountAliases", 1),
        ("iam:GetAccountPasswordPolicy", 1),
        ("iam:GenerateCredentialReport", 1),
        ("iam:GetCredentialReport", 1),
        ("iam:ListVirtualMFADevices", 1),
        // Customer and AWS managed, attached only.
        ("iam:ListPolicies", 2),
        ("iam:GetPolicyVersion", 1),
    ]
    .into_iter()
    .map(|(operation, calls)| (operation.to_owned(), calls))
    .collect();
    let calls = calls_by_operation(&scan.report);
    assert!(!calls.contains_key("ecr:DescribeImageSigningStatus"), "{calls:#?}");
    assert_eq!(calls, expected);

    let stats = &scan.report["scan"]["stats"];
    let total: u64 = expected.values().sum();
    assert_eq!(stats["calls"], total);
    assert_eq!(stats["attempts"], total, "no retries against a healthy emulator: {stats}");
    assert_eq!((stats["retries"].as_u64(), stats["throttles"].as_u64()), (Some(0), Some(0)));
    // GetCallerIdentity and DescribeRegions side by side, then the longest:
    // ListClusters, DescribeClusters, ListServices, DescribeServices, and
    // the revision in use that is not the latest (DescribeTaskDefinition api:1).
    assert_eq!(stats["critical_path_depth"], 6, "{stats}");

    assert!(
        scan.stderr.contains(&format!(
            "bulkhead: {total} AWS calls, {total} attempts (0 retries, 0 throttled); critical path 6 calls deep"
        )),
        "{}",
        scan.stderr
    );
    let describe_images = scan.stderr.lines().find(|line| line.contains(" DescribeImages ")).expect(&scan.stderr);
    assert_eq!(describe_images.split_whitespace().collect::<Vec<_>>(), ["ecr", "DescribeImages", "1", "3", "0", "0"]);
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn regions_are_counted_apart() {
    let account = Account::seeded("call_stats");
    let scan = account.scan(&["--regions", "eu-west-1,us-east-1", "--services", "ec2", "--quiet"]);
    let operations = scan.report["scan"]["stats"]["operations"].as_array().unwrap();
    let regions_of = |operation: &str| -> Vec<&str> {
        operations.iter().filter(|op| op["operation"] == operation).map(|op| op["region"].as_str().unwrap()).collect()
    };
    assert_eq!(regions_of("DescribeSecurityGroups"), ["eu-west-1", "us-east-1"]);
    assert_eq!(regions_of("DescribeRegions"), ["us-east-1"], "global calls go to the home region");
    assert!(scan.stderr.is_empty(), "--stats not given, --quiet: {}", scan.stderr);
}
