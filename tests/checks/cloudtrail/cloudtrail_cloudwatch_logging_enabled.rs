use bulkhead::inventory::cloudtrail::TrailStatus;

use super::*;

const CHECK: &str = "cloudtrail_cloudwatch_logging_enabled";

fn delivering(last: Option<&str>) -> Trail {
    Trail {
        cloudwatch_logs_group_arn: Some("arn:aws:logs:eu-west-1:111122223333:log-group:ct:*".into()),
        status: Collected::Ok(TrailStatus {
            is_logging: true,
            latest_delivery_time: None,
            latest_cloudwatch_logs_delivery_time: last.map(at),
        }),
        ..trail("t")
    }
}

/// Delivery age, which the emulator cannot vary (it always reports "now").
#[test]
fn delivery_must_be_within_24_hours_of_the_scan() {
    // NOW is 2026-06-01T00:00:00Z.
    assert_eq!(status(CHECK, &account_with_trails(vec![delivering(Some("2026-05-31T00:00:00Z"))])), Status::Pass);
    assert_eq!(status(CHECK, &account_with_trails(vec![delivering(Some("2026-05-30T23:59:59Z"))])), Status::Fail);
    assert_eq!(status(CHECK, &account_with_trails(vec![delivering(None)])), Status::Fail);
    assert_eq!(status(CHECK, &account_with_trails(vec![trail("t")])), Status::Fail, "no log group");
}

#[test]
fn an_unknown_status_is_an_error_not_a_pass() {
    assert_eq!(status(CHECK, &account_with_trails(vec![status_denied(delivering(None))])), Status::Error);
    assert_eq!(status(CHECK, &listing_denied()), Status::Error);
}
