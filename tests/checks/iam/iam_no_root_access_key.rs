use bulkhead::inventory::iam::ROOT_ROW;

use super::*;

const CHECK: &str = "iam_no_root_access_key";

#[test]
fn root_access_key_from_the_summary_or_the_root_row() {
    assert_eq!(status(CHECK, &with_iam(|iam| iam.summary = summary(0, 1))), Status::Fail);
    assert_eq!(status(CHECK, &with_iam(|iam| iam.summary = summary(1, 0))), Status::Pass);
    let mut root = user(ROOT_ROW);
    let mut inactive = access_key(1, Some(days_ago(1)), None);
    inactive.active = false;
    root.access_keys = vec![inactive, access_key(2, Some(days_ago(400)), Some(days_ago(3)))];
    let from_row = with_iam(|iam| {
        iam.summary = iam_denied("GetAccountSummary");
        iam.credential_report = report(vec![root]);
    });
    let finding = only(CHECK, &from_row);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("access_key_2"), "{}", finding.message);
    let unknown = with_iam(|iam| {
        iam.summary = iam_denied("GetAccountSummary");
        iam.credential_report = iam_denied("GetCredentialReport");
    });
    assert_eq!(status(CHECK, &unknown), Status::Error);
}
