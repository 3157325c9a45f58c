//! An operation a region does not offer (an API that has not reached the
//! region or partition yet, or an emulator that lacks it), answered through
//! `localstack/faultproxy.py --unknown` in each service's own protocol (JSON
//! `UnknownOperationException`, query `InvalidAction`): where the call reads
//! an optional feature, the feature is off in that region, said once per
//! region in the report, and the resources are judged as without it. The same
//! call failing any other way stays ERROR, and an unknown operation that no
//! judgement can do without is ERROR too.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::call_stats::calls_by_operation;
use crate::support::{Account, FaultProxy, Scan, text};

const SIGNED: &str = "ecr_images_signed";
/// Reads the load balancers (the reachability of what runs the images).
const EXPOSED: &str = "ecr_images_internet_exposed_no_vulnerabilities";
const NACLS: &str = "ec2_networkacl_allow_ingress_any_port";

/// `(region, resource_id) -> (status, message)` of one check.
fn verdicts(scan: &Scan, check: &str) -> BTreeMap<(String, String), (String, String)> {
    scan.findings(check)
        .into_iter()
        .map(|f| ((text(&f["region"]), text(&f["resource_id"])), (text(&f["status"]), text(&f["message"]))))
        .collect()
}

/// `scan.unavailable_features`, empty when the report has none.
fn unavailable(scan: &Scan) -> Vec<Value> {
    scan.report["scan"]["unavailable_features"].as_array().cloned().unwrap_or_default()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_feature_the_region_does_not_offer_is_off_there_and_said_once() {
    let account = Account::seeded(SIGNED);
    let checks = format!("{SIGNED},{EXPOSED}");
    let clean = account.scan(&["--checks", &checks, "--stats"]);
    assert!(clean.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", clean.report["scan"]["errors"]);

    // ECR (JSON 1.1) and ELBv2 (query XML) answer that they do not know the calls.
    let proxy = FaultProxy::start(&["--unknown", "ecr:GetSigningConfiguration", "--unknown", "elasticloadbalancing"]);
    let scan = account.scan_through(&proxy.endpoint, &["--checks", &checks, "--stats"]);
    let stats = proxy.stats();
    assert_eq!(stats.get("unknown:ecr:GetSigningConfiguration@us-east-1"), Some(&1), "{stats:?}");
    assert!(stats.keys().any(|key| key.starts_with("unknown:elasticloadbalancing:")), "{stats:?}");

    // Complete, no ERROR: the scan exits as the clean one (3: its FAILs).
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);
    assert_eq!(scan.exit_code, clean.exit_code, "{}", scan.stderr);

    // Every image is judged as without ECR managed signing: by its cosign
    // tag and signature referrers alone. Only the image that nothing but
    // ECR's signing status showed signed changes its verdict, and FAILs.
    let before = verdicts(&clean, SIGNED);
    let after = verdicts(&scan, SIGNED);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    let changed: Vec<_> = after.iter().filter(|(key, verdict)| before[*key].0 != verdict.0).collect();
    assert_eq!(changed.len(), 1, "{changed:#?}");
    let ((region, image), (status, message)) = changed[0];
    assert_eq!((region.as_str(), status.as_str()), ("us-east-1", "FAIL"), "{image}: {message}");
    assert!(image.starts_with("release/api@"), "{image}");
    assert!(message.contains("tags: managed-signed"), "{message}");
    for (key, (status, message)) in &after {
        match status.as_str() {
            "PASS" => assert_eq!(message, &before[key].1, "{key:?}: the same evidence"),
            "FAIL" => assert!(
                message.contains("no cosign signature tag and no Notation or sigstore signature referrer")
                    && message.contains("ECR managed signing is not configured in the region"),
                "{key:?}: {message}"
            ),
            _ => panic!("{key:?}: {status} {message}"),
        }
    }
    // Nothing asks a region without managed signing for ECR's signing status.
    let calls = calls_by_operation(&scan.report);
    assert_eq!(calls.get("ecr:DescribeImageSigningStatus"), None, "{calls:#?}");
    assert_eq!(verdicts(&scan, EXPOSED), verdicts(&clean, EXPOSED));

    // Said once per region and feature, in the report and on the terminal.
    let notes = unavailable(&scan);
    let said: BTreeSet<(String, String, String, String)> = notes
        .iter()
        .map(|note| (text(&note["region"]), text(&note["service"]), text(&note["operation"]), text(&note["feature"])))
        .collect();
    assert_eq!(notes.len(), 6, "one per region and feature: {notes:#?}");
    assert_eq!(said.len(), 6, "{notes:#?}");
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let signing = (region.into(), "ecr".into(), "GetSigningConfiguration".into(), "ECR managed signing".into());
        assert!(said.contains(&signing), "{region}: {notes:#?}");
        assert!(
            said.iter().any(|(r, service, _, _)| r == region && service == "elasticloadbalancing"),
            "{region}: {notes:#?}"
        );
    }
    for note in &notes {
        assert_eq!(note["account_id"], Value::String(account.id.clone()), "{note}");
        let message = text(&note["message"]);
        let code = if note["service"] == "ecr" { "UnknownOperationException" } else { "InvalidAction" };
        assert!(message.contains(code), "{note}");
        assert!(!text(&note["consequence"]).is_empty(), "{note}");
    }
    let lines: Vec<&str> = scan.stderr.lines().filter(|line| line.contains("not offered")).collect();
    assert_eq!(lines.len(), 2, "one summary line per feature:\n{}", scan.stderr);
    assert!(lines.iter().any(|line| line.contains("ECR managed signing")), "{lines:?}");

    // The same calls failing any other way: ERROR where they would tell, never a verdict.
    let proxy = FaultProxy::start(&["--deny", "ecr:GetSigningConfiguration", "--deny", "elasticloadbalancing"]);
    let denied = account.scan_through(&proxy.endpoint, &["--checks", &checks]);
    assert_eq!(denied.exit_code, 4, "{}", denied.stderr);
    assert!(unavailable(&denied).is_empty(), "{}", denied.report["scan"]);
    for ((region, image), (status, message)) in verdicts(&denied, SIGNED) {
        let was = &before[&(region.clone(), image.clone())];
        let settled_without_ecr = was.0 == "PASS" && !was.1.contains("ECR managed signing reports");
        if settled_without_ecr {
            assert_eq!((status.as_str(), &message), ("PASS", &was.1), "{region} {image}");
        } else {
            assert_eq!(status, "ERROR", "{region} {image}: {message}");
            assert!(message.contains("AccessDeniedException"), "{message}");
        }
    }
    let errors = denied.report["scan"]["errors"].as_array().unwrap();
    let services: BTreeSet<String> = errors.iter().map(|error| text(&error["service"])).collect();
    assert_eq!(services, BTreeSet::from(["ecr".to_owned(), "elasticloadbalancing".to_owned()]), "{errors:#?}");
}

/// An unknown operation that a judgement cannot do without (a core listing)
/// is no feature that is off: ERROR, with the kind saying why.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_unknown_core_operation_is_error() {
    let account = Account::seeded("ec2_networkacl_allow_ingress");
    let proxy = FaultProxy::start(&["--unknown", "ec2:DescribeNetworkAcls"]);
    let scan = account.scan_through(&proxy.endpoint, &["--checks", NACLS]);
    assert_eq!(scan.exit_code, 4, "{}", scan.stderr);
    let findings = scan.findings(NACLS);
    assert_eq!(findings.len(), 3, "one ERROR per region: {findings:#?}");
    for finding in findings {
        assert_eq!(finding["status"], "ERROR", "{finding}");
        assert!(text(&finding["message"]).contains("InvalidAction"), "{finding}");
    }
    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors.iter().all(|error| error["kind"] == "not_offered"), "{errors:#?}");
    assert!(unavailable(&scan).is_empty(), "{}", scan.report["scan"]);
}
