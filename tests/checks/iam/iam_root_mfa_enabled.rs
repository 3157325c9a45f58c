use bulkhead::inventory::iam::ROOT_ROW;

use super::*;

const CHECK: &str = "iam_root_mfa_enabled";

#[test]
fn root_mfa_from_the_summary_or_the_root_row() {
    let finding = only(CHECK, &with_iam(|iam| iam.summary = summary(1, 0)));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Pass, ROOT_ROW));
    assert_eq!(finding.resource_arn, "arn:aws:iam::111122223333:root");
    assert_eq!(status(CHECK, &with_iam(|iam| iam.summary = summary(0, 0))), Status::Fail);
    let mut root = user(ROOT_ROW);
    root.mfa_active = true;
    let fallback = with_iam(|iam| {
        iam.summary = iam_denied("GetAccountSummary");
        iam.credential_report = report(vec![root]);
    });
    assert_eq!(status(CHECK, &fallback), Status::Pass);
    // Neither source: ERROR, never PASS.
    let unknown = with_iam(|iam| {
        iam.summary = iam_denied("GetAccountSummary");
        iam.credential_report = report(vec![]);
    });
    assert_eq!(status(CHECK, &unknown), Status::Error);
}
