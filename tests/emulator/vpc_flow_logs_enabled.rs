//! VPC flow logs against the emulator: DescribeVpcs and DescribeFlowLogs
//! once per region; a VPC in use is judged, an unused one only by config.

use crate::call_stats::calls_by_operation;
use crate::support::{Account, text};

const CHECK: &str = "vpc_flow_logs_enabled";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn vpcs_in_use_need_a_flow_log() {
    let account = Account::seeded("vpc_flow_logs");
    let scan = account.scan(&["--regions", "eu-west-1,us-east-1,eu-central-1", "--checks", CHECK, "--stats"]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    let logged = scan.statuses_findings(CHECK, "eu-west-1");
    assert_eq!(logged.len(), 1, "{logged:#?}");
    assert_eq!(logged[0]["status"], "PASS", "{}", logged[0]);
    assert!(text(&logged[0]["resource_arn"]).contains(":vpc/vpc-"), "{}", logged[0]);

    let unlogged = scan.statuses_findings(CHECK, "us-east-1");
    assert_eq!(unlogged.len(), 1, "{unlogged:#?}");
    assert_eq!(unlogged[0]["status"], "FAIL");
    let message = text(&unlogged[0]["message"]);
    assert!(message.contains("holds container workloads: ECS service web of cluster prod"), "{message}");
    assert!(message.contains("has no flow log"), "{message}");
    assert!(scan.statuses_findings(CHECK, "eu-central-1").is_empty(), "no network interface: not in use");

    let calls = calls_by_operation(&scan.report);
    assert_eq!(calls.get("ec2:DescribeVpcs"), Some(&3), "{calls:#?}");
    assert_eq!(calls.get("ec2:DescribeFlowLogs"), Some(&3), "{calls:#?}");

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bulkhead.toml");
    std::fs::write(&config, "vpc_flow_logs_every_vpc = true\n").unwrap();
    let every = account.scan(&["--regions", "eu-central-1", "--checks", CHECK, "--config", config.to_str().unwrap()]);
    let idle = every.statuses_findings(CHECK, "eu-central-1");
    assert_eq!(idle.len(), 1, "{idle:#?}");
    assert_eq!(idle[0]["status"], "FAIL");
    assert!(text(&idle[0]["message"]).contains("(default VPC, no network interface)"), "{}", idle[0]);
}
