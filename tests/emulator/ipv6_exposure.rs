//! Exposure over IPv6 against the emulator: a dual-stack task with no public
//! IPv4, in a group open to ::/0 on its port, is reachable from the internet
//! when its subnet routes ::/0 to an internet gateway, and not through an
//! egress-only one (DescribeRouteTables, once per region).

use crate::call_stats::calls_by_operation;
use crate::support::{Account, text};

const CHECK: &str = "ecr_images_internet_exposed_no_vulnerabilities";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_ipv6_address_routed_to_an_internet_gateway_exposes_the_task() {
    let account = Account::seeded("ipv6_exposure");
    let scan = account.scan(&["--regions", "eu-west-1,eu-central-1", "--checks", CHECK, "--stats"]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    let routed = scan.statuses_findings(CHECK, "eu-west-1");
    assert_eq!(routed.len(), 1, "{routed:#?}");
    assert_eq!(routed[0]["status"], "FAIL", "{}", routed[0]);
    let message = text(&routed[0]["message"]);
    assert!(message.contains("IPv6 address "), "{message}");
    assert!(message.contains(", routed through igw-"), "{message}");
    assert!(message.contains("open to ::/0 on port 8080"), "{message}");
    assert!(message.contains("CVE-2024-3094"), "{message}");

    let egress_only = scan.statuses_findings(CHECK, "eu-central-1");
    assert_eq!(egress_only.len(), 1, "{egress_only:#?}");
    assert_eq!(egress_only[0]["status"], "PASS", "{}", egress_only[0]);
    assert!(text(&egress_only[0]["message"]).contains("none reachable from the internet"), "{}", egress_only[0]);

    let exposures: Vec<String> =
        scan.report["vulnerabilities"].as_array().unwrap().iter().map(|image| text(&image["exposure"])).collect();
    assert!(exposures.contains(&"internet".to_owned()), "{exposures:?}");

    let calls = calls_by_operation(&scan.report);
    assert_eq!(calls.get("ec2:DescribeRouteTables"), Some(&2), "one per region: {calls:#?}");
}
