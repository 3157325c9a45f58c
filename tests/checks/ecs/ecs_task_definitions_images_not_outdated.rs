use bulkhead::config::Config;

use super::*;

const CHECK: &str = "ecs_task_definitions_images_not_outdated";

#[test]
fn pass_fail_and_error() {
    // Built 2026-05-01, scanned 2026-06-01: 31 days.
    let recent = only(CHECK, &with_image_config(|_| {}));
    assert_eq!(recent.status, Status::Pass);
    assert!(
        recent.message.contains("was built on 2026-05-01, 31 days ago (at most 365 allowed)"),
        "{}",
        recent.message
    );

    let old = only(CHECK, &with_image_config(|config| config.created = Some(at("2024-01-15T09:30:00Z"))));
    assert_eq!(old.status, Status::Fail);
    assert!(old.message.contains("older than the 365 days allowed"), "{}", old.message);

    let strict = Config { image_max_age_days: 30, ..Config::default() };
    let findings = run_with(CHECK, &with_image_config(|_| {}), &strict);
    assert_eq!(findings[0].status, Status::Fail, "the threshold comes from bulkhead.toml");

    let undated = only(CHECK, &with_image_config(|config| config.created = None));
    assert_eq!(undated.status, Status::Fail);
    assert!(undated.message.contains("has no creation date"), "{}", undated.message);

    assert_registry_image_errors(CHECK); // Status::Error
}
