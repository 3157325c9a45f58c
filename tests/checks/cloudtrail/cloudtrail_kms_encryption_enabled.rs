use super::*;

const CHECK: &str = "cloudtrail_kms_encryption_enabled";

#[test]
fn pass_fail_and_error() {
    let encrypted = Trail { kms_key_id: Some("arn:aws:kms:eu-west-1:111122223333:key/k".into()), ..trail("t") };
    assert_eq!(status(CHECK, &account_with_trails(vec![encrypted])), Status::Pass);
    assert_eq!(status(CHECK, &account_with_trails(vec![trail("t")])), Status::Fail);
    assert_eq!(status(CHECK, &listing_denied()), Status::Error);
}
