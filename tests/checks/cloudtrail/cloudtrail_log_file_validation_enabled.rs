use super::*;

const CHECK: &str = "cloudtrail_log_file_validation_enabled";

#[test]
fn pass_fail_and_error() {
    let validated = Trail { log_file_validation: true, ..trail("t") };
    assert_eq!(status(CHECK, &account_with_trails(vec![validated])), Status::Pass);
    let finding = only(CHECK, &account_with_trails(vec![trail("t")]));
    assert_eq!(
        (finding.status, finding.resource_id.as_str(), finding.resource_name.as_str()),
        (Status::Fail, "t", "t")
    );
    assert_eq!(status(CHECK, &listing_denied()), Status::Error);
}
