//! The five checks of the edge against the emulator: listeners (redirects
//! and security policies), load balancer attributes, and WAFv2 web ACLs
//! read through ListWebACLs and ListResourcesForWebACL (localstack/edge.py),
//! each at its minimum number of calls.

use crate::call_stats::calls_by_operation;
use crate::support::{Account, text};

const SSL: &str = "elbv2_ssl_listeners";
const CIPHERS: &str = "elbv2_insecure_ssl_ciphers";
const WAF: &str = "elbv2_waf_acl_attached";
const HEADERS: &str = "elbv2_alb_drop_invalid_header_fields_enabled";
const LOGS: &str = "elbv2_logging_enabled";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_load_balancer_is_judged_at_the_edge() {
    let account = Account::seeded("elbv2_edge");
    let scan = account.scan(&["--checks", &format!("{SSL},{CIPHERS},{WAF},{HEADERS},{LOGS}"), "--stats"]);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    // (check, open, guarded, inside); None: no finding.
    let expected = [
        (SSL, Some("FAIL"), Some("PASS"), Some("FAIL")),
        (CIPHERS, Some("FAIL"), Some("PASS"), Some("PASS")),
        (WAF, Some("FAIL"), Some("PASS"), None),
        (HEADERS, Some("FAIL"), Some("PASS"), Some("FAIL")),
        (LOGS, Some("FAIL"), Some("PASS"), Some("FAIL")),
    ];
    for (check, open, guarded, inside) in expected {
        let statuses = scan.statuses(check, "eu-west-1");
        for (name, status) in [("open", open), ("guarded", guarded), ("inside", inside)] {
            assert_eq!(statuses.get(name).map(String::as_str), status, "{check} {name}: {statuses:?}");
        }
        assert_eq!(statuses.len(), [open, guarded, inside].iter().flatten().count(), "{check}: {statuses:?}");
    }

    let open = text(&scan.finding_mentioning(SSL, "load balancer open ")["message"]);
    assert!(open.contains("(internet-facing, fronts ECS service api of cluster prod)"), "{open}");
    assert!(open.contains("listener(s) HTTP 80 do not redirect to HTTPS"), "{open}");
    let weak = text(&scan.finding_mentioning(CIPHERS, "load balancer open ")["message"]);
    assert!(weak.contains("uses ELBSecurityPolicy-2016-08, which accepts TLS 1.0"), "{weak}");
    let guarded = text(&scan.finding_mentioning(WAF, "load balancer guarded ")["message"]);
    assert!(guarded.contains("protected by WAFv2 web ACL guarded-acl"), "{guarded}");
    let arn = text(&scan.finding_mentioning(LOGS, "load balancer guarded ")["resource_arn"]);
    assert!(arn.contains(":loadbalancer/app/guarded/"), "{arn}");

    let calls = calls_by_operation(&scan.report);
    // One each per load balancer (no batch form), internal ones included.
    assert_eq!(calls.get("elasticloadbalancing:DescribeListeners"), Some(&3), "{calls:#?}");
    assert_eq!(calls.get("elasticloadbalancing:DescribeLoadBalancerAttributes"), Some(&3), "{calls:#?}");
    // One listing in eu-west-1, one call for its one web ACL; the other
    // regions have no internet-facing application load balancer: no call.
    assert_eq!(calls.get("wafv2:ListWebACLs"), Some(&1), "{calls:#?}");
    assert_eq!(calls.get("wafv2:ListResourcesForWebACL"), Some(&1), "{calls:#?}");
}
