use super::*;

const CHECK: &str = "guardduty_eks_audit_log_enabled";

#[test]
fn pass_and_fail() {
    assert_eq!(status(CHECK, &with_detectors(vec![detector("d1", &[("EKS_AUDIT_LOGS", "ENABLED")])])), Status::Pass);
    assert_eq!(status(CHECK, &with_detectors(vec![detector("d1", &[("EKS_AUDIT_LOGS", "DISABLED")])])), Status::Fail);
    assert_eq!(status(CHECK, &with_detectors(vec![detector("d1", &[])])), Status::Fail);
    assert_eq!(status(CHECK, &with_detectors(Vec::new())), Status::Fail);
}
