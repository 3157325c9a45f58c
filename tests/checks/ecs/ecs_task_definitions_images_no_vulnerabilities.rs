use bulkhead::config::Config;
use bulkhead::inventory::image_vulnerabilities::{
    Coverage, ImageVulnerabilities, ScanType, Vulnerability, VulnerablePackage,
};
use bulkhead::severity::Severity;

use super::*;

const CHECK: &str = "ecs_task_definitions_images_no_vulnerabilities";

fn vulnerability(id: &str, severity: &str) -> Vulnerability {
    Vulnerability {
        id: id.into(),
        severity: severity.into(),
        packages: vec![VulnerablePackage {
            name: Some("openssl".into()),
            installed_version: Some("3.0.1".into()),
            fixed_in: Some("3.0.13".into()),
        }],
        fix_available: Some("YES".into()),
        exploit_available: None,
        score: Some(7.5),
        uri: None,
        title: None,
    }
}

/// `app:1` naming `app:v1`, not running anywhere, whose scan says `coverage` with `findings`.
fn scanned(coverage: Coverage, findings: Vec<Vulnerability>) -> AccountInventory {
    let mut account = with_image_config(|_| {});
    let Collected::Ok(images) = &mut account.registry_images else { unreachable!() };
    images[0].vulnerabilities = Collected::Ok(ImageVulnerabilities {
        scan_type: Some(ScanType::Basic),
        coverage,
        status: Some("COMPLETE".into()),
        completed_at: Some(at("2026-05-30T12:00:00Z")),
        findings,
    });
    account
}

#[test]
fn pass_and_fail_whether_or_not_it_runs() {
    let clean = only(CHECK, &scanned(Coverage::Complete, vec![vulnerability("CVE-2024-0001", "MEDIUM")]));
    assert_eq!(clean.status, Status::Pass, "{}", clean.message);
    assert!(clean.message.contains("no finding of severity high or above (1 finding(s) in all)"), "{}", clean.message);

    let findings: Vec<Vulnerability> =
        (0..7).map(|n| vulnerability(&format!("CVE-2024-000{n}"), if n == 6 { "CRITICAL" } else { "HIGH" })).collect();
    let vulnerable = only(CHECK, &scanned(Coverage::Complete, findings));
    assert_eq!(vulnerable.status, Status::Fail);
    assert!(vulnerable.message.contains("has 7 finding(s) of severity high or above"), "{}", vulnerable.message);
    assert!(vulnerable.message.contains("ECR basic scanning, completed 2026-05-30"), "{}", vulnerable.message);
    assert!(
        vulnerable.message.contains(": CVE-2024-0006 (CRITICAL, openssl, fixed in 3.0.13)"),
        "{}",
        vulnerable.message
    );
    assert!(vulnerable.message.ends_with("and 2 more."), "{}", vulnerable.message);

    let never = only(CHECK, &scanned(Coverage::NeverScanned, Vec::new()));
    assert_eq!(never.status, Status::Fail);
    assert!(never.message.contains("was never scanned"), "{}", never.message);

    let medium = Config { min_vulnerability_severity: Severity::Medium, ..Config::default() };
    let findings =
        run_with(CHECK, &scanned(Coverage::Complete, vec![vulnerability("CVE-2024-0001", "MEDIUM")]), &medium);
    assert_eq!(findings[0].status, Status::Fail, "the threshold comes from bulkhead.toml");
}

#[test]
fn a_scan_without_results_is_error_never_pass() {
    let running = Coverage::Unknown { reason: "scan status IN_PROGRESS".into() };
    let finding = only(CHECK, &scanned(running, Vec::new()));
    assert_eq!(finding.status, Status::Error);
    assert!(finding.message.contains("scan status IN_PROGRESS"), "{}", finding.message);

    let mut failed = scanned(Coverage::Complete, Vec::new());
    let Collected::Ok(images) = &mut failed.registry_images else { unreachable!() };
    images[0].vulnerabilities = Collected::Failed(denied(Service::Ecr, "DescribeImageScanFindings"));
    let finding = only(CHECK, &failed);
    assert_eq!(finding.status, Status::Error);
    assert!(finding.message.contains("DescribeImageScanFindings"), "{}", finding.message);
}
