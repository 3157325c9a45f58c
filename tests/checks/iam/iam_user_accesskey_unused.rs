use std::collections::BTreeMap;

use bulkhead::inventory::iam::CredentialReportRow;

use super::*;

const CHECK: &str = "iam_user_accesskey_unused";

fn keyed(name: &str, rotated_days_ago: i64, used_days_ago: Option<i64>) -> CredentialReportRow {
    let key = access_key(1, Some(days_ago(rotated_days_ago)), used_days_ago.map(days_ago));
    CredentialReportRow { access_keys: vec![key], ..user(name) }
}

#[test]
fn use_is_measured_from_the_fetch_time() {
    let rows = vec![
        keyed("idle-key", 60, Some(46)),
        keyed("never-used-old", 46, None),
        keyed("never-used-new", 45, None),
        keyed("used-yesterday", 400, Some(1)),
    ];
    let verdicts: BTreeMap<String, Status> = run(CHECK, &with_iam(|iam| iam.credential_report = report(rows)))
        .into_iter()
        .map(|finding| (finding.resource_id, finding.status))
        .collect();
    assert_eq!(verdicts["idle-key"], Status::Fail);
    assert_eq!(verdicts["never-used-old"], Status::Fail, "never used, created 46 days ago");
    assert_eq!(verdicts["never-used-new"], Status::Pass);
    assert_eq!(verdicts["used-yesterday"], Status::Pass);
    assert_eq!(
        status(CHECK, &with_iam(|iam| iam.credential_report = iam_denied("GetCredentialReport"))),
        Status::Error
    );
}
