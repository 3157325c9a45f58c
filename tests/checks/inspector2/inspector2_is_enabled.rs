use super::*;

const CHECK: &str = "inspector2_is_enabled";

#[test]
fn ecr_scanning_on_passes_off_fails() {
    let finding = only(CHECK, &with_status(Some("ENABLED"), Some("ENABLED")));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Pass, REGION));
    assert_eq!(status(CHECK, &with_status(Some("ENABLED"), Some("DISABLED"))), Status::Fail);
    assert_eq!(status(CHECK, &with_status(Some("DISABLED"), None)), Status::Fail);
    let failed = account_with(|region| {
        region.inspector2.account = Collected::Failed(denied(Service::Inspector2, "BatchGetAccountStatus"));
    });
    assert_eq!(status(CHECK, &failed), Status::Error);
}
