use super::*;

const CHECK: &str = "eks_control_plane_logging_all_types_enabled";

#[test]
fn every_type_passes_the_message_names_the_missing_ones() {
    assert_eq!(status(CHECK, &with_cluster(|_| {})), Status::Pass);
    let some = with_cluster(|cluster| cluster.enabled_log_types = vec!["api".into(), "audit".into()]);
    let finding = only(CHECK, &some);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.ends_with("log types authenticator, controllerManager, scheduler."), "{}", finding.message);
    assert_eq!(status(CHECK, &with_cluster(|cluster| cluster.enabled_log_types.clear())), Status::Fail);
}
