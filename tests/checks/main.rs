//! Every check's PASS, FAIL and ERROR cases on inventory built in code: no
//! emulator, milliseconds. One module per check, named after it; the
//! emulator tests (tests/emulator) prove the collectors and the end-to-end
//! paths.

mod support;

mod cloudtrail;
mod collection_failures;
mod ec2;
mod ecr;
mod ecs;
mod iam;
mod saved_inventories;
mod wording;

use std::path::Path;

/// Each registered check has its module, and it shows all three verdicts.
#[test]
fn every_check_has_offline_pass_fail_and_error_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks");
    let mut missing = Vec::new();
    for check in bulkhead::checks::registry::CHECKS {
        let service = root.join(check.id.split('_').next().unwrap());
        // Its own file, or a file holding `mod <check id>` (checks that share their cases).
        let own = std::fs::read_to_string(service.join(format!("{}.rs", check.id))).ok();
        let shared = || {
            std::fs::read_dir(&service)
                .ok()?
                .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
                .find(|text| text.contains(&format!("mod {} {{", check.id)))
        };
        let Some(text) = own.or_else(shared) else {
            missing.push(format!("{} has no tests/checks/.../{}.rs", check.id, check.id));
            continue;
        };
        for verdict in ["Status::Pass", "Status::Fail", "Status::Error"] {
            if !text.contains(verdict) {
                missing.push(format!("{} has no {verdict} case", check.id));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The fixture reference in localstack/README.md is generated from the
/// seeder's one schema (`localstack/seeding/schema.py --write`).
#[test]
fn the_fixture_reference_is_generated_from_the_seeder_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new("python3")
        .arg(root.join("localstack/seeding/schema.py"))
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "localstack/README.md is stale: run python3 localstack/seeding/schema.py --write\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
