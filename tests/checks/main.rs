//! Every check's PASS and FAIL cases on inventory built in code: no
//! emulator, milliseconds. One module per check, named after it, in its
//! service's folder; the ERROR cases of every check come from the walk of
//! its scope and are tested once for all (`scope_errors`). The emulator
//! tests (tests/emulator) prove the collectors and the end-to-end paths.

mod snapshot;
mod support;

mod cloudtrail;
mod collection_failures;
mod ec2;
mod ecr;
mod ecs;
mod eks;
mod elbv2;
mod guardduty;
mod iam;
mod image_layers;
mod inspector2;
mod saved_inventories;
mod scope_errors;
mod seeder;
mod snapshots;
mod vpc;
mod wording;

use std::path::Path;

/// Each registered check has its module, and it shows PASS and FAIL (its
/// ERRORs are `scope_errors`').
#[test]
fn every_check_has_offline_pass_and_fail_cases() {
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
        for verdict in ["Status::Pass", "Status::Fail"] {
            if !text.contains(verdict) {
                missing.push(format!("{} has no {verdict} case", check.id));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
