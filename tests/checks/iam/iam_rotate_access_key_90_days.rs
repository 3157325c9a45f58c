use std::collections::BTreeMap;

use bulkhead::config::Config;

use super::*;

const CHECK: &str = "iam_rotate_access_key_90_days";

fn keyed(name: &str, rotated_days_ago: i64, active: bool) -> bulkhead::inventory::iam::CredentialReportRow {
    let mut key = access_key(1, Some(days_ago(rotated_days_ago)), Some(days_ago(1)));
    key.active = active;
    bulkhead::inventory::iam::CredentialReportRow { access_keys: vec![key], ..user(name) }
}

#[test]
fn key_age_is_measured_from_the_fetch_time() {
    let rows = vec![keyed("old-key", 91, true), keyed("fresh-key", 90, true), keyed("old-but-inactive", 400, false)];
    let account = with_iam(|iam| iam.credential_report = report(rows));
    let verdicts: BTreeMap<String, Status> =
        run(CHECK, &account).into_iter().map(|finding| (finding.resource_id, finding.status)).collect();
    assert_eq!(verdicts["old-key"], Status::Fail);
    assert_eq!(verdicts["fresh-key"], Status::Pass, "90 days is within 90 days");
    assert_eq!(verdicts["old-but-inactive"], Status::Pass, "inactive keys do not count");
    let config = Config { access_key_max_age_days: 30, ..Config::default() };
    let strict = with_iam(|iam| iam.credential_report = report(vec![keyed("k", 31, true)]));
    assert_eq!(run_with(CHECK, &strict, &config)[0].status, Status::Fail, "threshold from the config");
}

#[test]
fn no_date_or_no_report_is_error() {
    let mut row = user("odd");
    row.access_keys = vec![access_key(1, None, None)];
    assert_eq!(status(CHECK, &with_iam(|iam| iam.credential_report = report(vec![row]))), Status::Error);
    assert_eq!(
        status(CHECK, &with_iam(|iam| iam.credential_report = iam_denied("GetCredentialReport"))),
        Status::Error
    );
}
