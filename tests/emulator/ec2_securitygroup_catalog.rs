//! Security groups: high-risk TCP ports (configurable), any port, wide
//! public IPv4 ranges, and the default group of each VPC.

use crate::support::{Account, repo_root, text};

const HIGH_RISK: &str = "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports";
const ANY: &str = "ec2_securitygroup_allow_ingress_from_internet_to_any_port";
const WIDE: &str = "ec2_securitygroup_allow_wide_open_public_ipv4";
const DEFAULT: &str = "ec2_securitygroup_default_restrict_traffic";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn each_group_is_judged_by_each_check() {
    let account = Account::seeded("ec2_securitygroup_catalog");
    let scan = account.scan(&["--checks", &format!("{HIGH_RISK},{ANY},{WIDE},{DEFAULT}")]);

    // (group, high-risk ports, any port, wide public IPv4)
    let expected = [
        ("(db-open)", "FAIL", "FAIL", "PASS"),
        ("(mongo-range)", "FAIL", "FAIL", "PASS"),
        ("(web)", "PASS", "FAIL", "PASS"),
        ("(internal-db)", "PASS", "PASS", "PASS"),
        ("(partner-wide)", "PASS", "PASS", "FAIL"),
        ("(partner-narrow)", "PASS", "PASS", "PASS"),
        ("(wide-egress)", "PASS", "PASS", "FAIL"),
    ];
    for (group, high, any, wide) in expected {
        assert_eq!(scan.status_of(HIGH_RISK, group), high, "{group} high-risk ports");
        assert_eq!(scan.status_of(ANY, group), any, "{group} any port");
        assert_eq!(scan.status_of(WIDE, group), wide, "{group} wide public IPv4");
    }
    let db = text(&scan.finding_mentioning(HIGH_RISK, "(db-open)")["message"]);
    assert!(db.contains("TCP 5432 from 0.0.0.0/0") && db.contains("attached to eni-"), "{db}");
    assert!(db.contains("none with a public IP"), "exposure context: {db}");
    let mongo = text(&scan.finding_mentioning(HIGH_RISK, "(mongo-range)")["message"]);
    assert!(mongo.contains("TCP 27017-27018 from ::/0"), "{mongo}");
    let egress = text(&scan.finding_mentioning(WIDE, "(wide-egress)")["message"]);
    assert!(egress.contains("outbound tcp 443 54.0.0.0/12"), "{egress}");

    // Only the default groups are judged: restricted in eu-west-1, moto's
    // allow-all egress left in place elsewhere.
    let defaults = scan.findings(DEFAULT);
    assert_eq!(defaults.len(), 3, "one default group per region");
    for finding in defaults {
        let expected = if finding["region"] == "eu-west-1" { "PASS" } else { "FAIL" };
        assert_eq!(text(&finding["status"]), expected, "{finding}");
        assert!(text(&finding["message"]).contains("(default)"), "{finding}");
    }
    let us = scan.findings(DEFAULT).into_iter().find(|finding| finding["region"] == "us-east-1").unwrap();
    assert!(text(&us["message"]).contains("outbound all traffic"), "{us}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_high_risk_port_list_comes_from_the_config() {
    let account = Account::seeded("ec2_securitygroup_catalog");
    let config = repo_root().join("tests/fixtures/ec2_securitygroup_catalog_https.toml");
    let scan = account.scan(&["--checks", HIGH_RISK, "--config", config.to_str().unwrap()]);
    assert_eq!(scan.status_of(HIGH_RISK, "(web)"), "FAIL");
    assert_eq!(scan.status_of(HIGH_RISK, "(db-open)"), "PASS");
}
