use bulkhead::config::Config;
use bulkhead::inventory::ecr::ImageScan;
use bulkhead::severity::Severity;

use super::*;

const CHECK: &str = "ecr_repositories_scan_vulnerabilities_in_latest_image";

fn with_scan(status: Option<&str>, counts: &[(&str, i32)]) -> AccountInventory {
    let mut repo = repository("app");
    let mut scan = image_scan(&image(&repo, "abc", &["v1"]), counts);
    if let Some(result) = scan.result.as_mut() {
        result.status = status.map(str::to_owned);
    }
    repo.latest_image_scan = Collected::Ok(Some(scan));
    repositories(vec![repo])
}

fn verdict(status: Option<&str>, counts: &[(&str, i32)], threshold: Severity) -> Status {
    let config = Config { min_vulnerability_severity: threshold, ..Config::default() };
    let findings = run_with(CHECK, &with_scan(status, counts), &config);
    assert_eq!(findings.len(), 1);
    findings[0].status
}

/// Scan states the emulator cannot produce (failed, in progress, enhanced
/// ACTIVE, untriaged findings).
#[test]
fn only_a_completed_scan_below_the_threshold_passes() {
    assert_eq!(verdict(Some("COMPLETE"), &[("MEDIUM", 3)], Severity::High), Status::Pass);
    assert_eq!(verdict(Some("ACTIVE"), &[("CRITICAL", 1)], Severity::High), Status::Fail, "enhanced scanning");
    assert_eq!(verdict(Some("FAILED"), &[], Severity::High), Status::Fail);
    assert_eq!(verdict(Some("IN_PROGRESS"), &[], Severity::High), Status::Fail);
    assert_eq!(verdict(None, &[("UNTRIAGED", 4), ("UNDEFINED", 1)], Severity::Informational), Status::Pass);
    assert_eq!(verdict(Some("COMPLETE"), &[("HIGH", 0)], Severity::Low), Status::Pass, "zero counts");
    assert_eq!(verdict(Some("COMPLETE"), &[("LOW", 1)], Severity::Low), Status::Fail);
}

#[test]
fn the_finding_is_the_image_and_an_unreadable_scan_is_error_on_the_repository() {
    let finding = only(CHECK, &with_scan(Some("COMPLETE"), &[]));
    assert_eq!(finding.resource_id, format!("app@sha256:abc"));
    let never = Repository {
        latest_image_scan: Collected::Ok(Some(ImageScan {
            result: None,
            ..image_scan(&image(&repository("app"), "abc", &[]), &[])
        })),
        ..repository("app")
    };
    assert_eq!(status(CHECK, &repositories(vec![never])), Status::Fail);
    assert!(run(CHECK, &repositories(vec![repository("empty")])).is_empty(), "no image, no finding");
    let unknown = Repository {
        latest_image_scan: Collected::Failed(denied(Service::Ecr, "DescribeImages")),
        ..repository("app")
    };
    let error = only(CHECK, &repositories(vec![unknown]));
    assert_eq!((error.status, error.resource_id.as_str()), (Status::Error, "app"));
}
