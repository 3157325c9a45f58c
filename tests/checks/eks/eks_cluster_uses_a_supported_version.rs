use bulkhead::config::Config;

use super::*;

const CHECK: &str = "eks_cluster_uses_a_supported_version";

fn on(version: &str) -> AccountInventory {
    with_cluster(|cluster| cluster.version = Some(version.into()))
}

/// The scan date of these cases is `NOW`, 2026-06-01.
#[test]
fn standard_support_passes_extended_and_ended_fail() {
    assert_eq!(status(CHECK, &on("1.33")), Status::Pass);
    let extended = only(CHECK, &on("1.31"));
    assert_eq!(extended.status, Status::Fail);
    assert!(extended.message.contains("extended support until 2026-11-26"), "{}", extended.message);
    let ended = only(CHECK, &on("1.29"));
    assert_eq!(ended.status, Status::Fail);
    assert!(ended.message.contains("ended on 2026-03-23"), "{}", ended.message);
    assert_eq!(status(CHECK, &on("1.19")), Status::Fail);
    assert_eq!(status(CHECK, &on("1.99")), Status::Pass, "newer than the table");
}

#[test]
fn extended_support_passes_when_the_configuration_accepts_it() {
    let accepting = Config { eks_extended_support_accepted: true, ..Config::default() };
    assert_eq!(run_with(CHECK, &on("1.31"), &accepting)[0].status, Status::Pass);
    assert_eq!(run_with(CHECK, &on("1.29"), &accepting)[0].status, Status::Fail, "ended is never accepted");
}

#[test]
fn no_version_is_error() {
    assert_eq!(status(CHECK, &with_cluster(|cluster| cluster.version = None)), Status::Error);
}
