use bulkhead::inventory::cloudtrail::TrailStatus;

use super::*;

const CHECK: &str = "cloudtrail_multi_region_enabled";

#[test]
fn pass_fail_and_error() {
    let finding = only(CHECK, &account_with_trails(vec![trail("t")]));
    assert_eq!(finding.status, Status::Pass);
    assert_eq!(
        (finding.resource_id.as_str(), finding.resource_arn.as_str()),
        (REGION, "arn:aws:iam::111122223333:root")
    );
    let stopped = Trail {
        status: Collected::Ok(TrailStatus {
            is_logging: false,
            latest_delivery_time: None,
            latest_cloudwatch_logs_delivery_time: None,
        }),
        ..trail("t")
    };
    let failing = only(CHECK, &account_with_trails(vec![stopped]));
    assert_eq!(failing.status, Status::Fail);
    assert_eq!(failing.resource_arn, finding.resource_arn, "one identity whatever the status");
    assert_eq!(status(CHECK, &account_with_trails(vec![])), Status::Fail, "no trail");
    assert_eq!(status(CHECK, &account_with_trails(vec![status_denied(trail("t"))])), Status::Error);
    assert_eq!(status(CHECK, &listing_denied()), Status::Error);
}
