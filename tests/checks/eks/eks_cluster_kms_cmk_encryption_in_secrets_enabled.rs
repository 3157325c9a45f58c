use super::*;

const CHECK: &str = "eks_cluster_kms_cmk_encryption_in_secrets_enabled";

#[test]
fn pass_and_fail() {
    assert_eq!(status(CHECK, &with_cluster(|_| {})), Status::Pass);
    assert_eq!(status(CHECK, &with_cluster(|cluster| cluster.secrets_key_arn = None)), Status::Fail);
}
