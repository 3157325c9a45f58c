use bulkhead::inventory::ecr::RepositoryScanning;

use super::*;

const CHECK: &str = "ecr_repositories_scan_images_on_push_enabled";

fn scanned(frequency: &str) -> Repository {
    let scanning = RepositoryScanning {
        scan_on_push: false,
        scan_frequency: Some(frequency.into()),
        applied_filters: vec!["*".into()],
    };
    Repository { scanning: Collected::Ok(scanning), ..repository("app") }
}

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &repositories(vec![scanned("CONTINUOUS_SCAN")])), Status::Pass);
    assert_eq!(status(CHECK, &repositories(vec![scanned("MANUAL")])), Status::Fail);
    let unknown = Repository {
        scanning: Collected::Failed(denied(Service::Ecr, "BatchGetRepositoryScanningConfiguration")),
        ..repository("app")
    };
    assert_eq!(status(CHECK, &repositories(vec![unknown.clone()])), Status::Error);
    // The repository's own setting settles it without the effective configuration.
    let own = Repository { scan_on_push: true, ..unknown };
    assert_eq!(status(CHECK, &repositories(vec![own])), Status::Pass);
}
