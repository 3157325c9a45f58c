//! The files the machine keeps (see `snapshot`): the check reference, the
//! SARIF rule ids, the fixture reference of the emulator's seeder, and the
//! module list of each service's offline tests. `tests/update-snapshots`
//! rewrites them all; these tests fail, with the diff, while one is stale.

use std::collections::BTreeSet;
use std::process::Command;

use bulkhead::checks::metadata::SARIF_RULE_IDS_PATH;
use bulkhead::checks::registry::CHECKS;

use crate::snapshot::{assert_snapshot, root, updating};

/// `docs/checks.md` is `bulkhead checks --format markdown`.
#[test]
fn the_check_reference_is_generated_from_the_metadata() {
    assert_snapshot("docs/checks.md", &bulkhead::checks::docs::markdown().expect("the metadata parses"));
}

/// Each registered check has a SARIF rule id; a number never changes and a
/// line never goes. The list gives numbers in file order, so a line taken
/// out or renumbered shows as a gap; a check without one gets the next
/// number appended (by `tests/update-snapshots`).
#[test]
fn every_check_has_a_frozen_sarif_rule_id() {
    let text = std::fs::read_to_string(root().join(SARIF_RULE_IDS_PATH)).expect("the SARIF rule id list");
    let mut listed = BTreeSet::new();
    let mut numbered = 0;
    for line in text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()) {
        numbered += 1;
        let expected = format!("BH{numbered:04}");
        let (rule, check) = line.split_once(' ').unwrap_or((line, ""));
        assert_eq!(
            rule, expected,
            "{SARIF_RULE_IDS_PATH}: {line:?} should have rule id {expected}: a rule id never changes and a line \
             never goes (a removed check keeps its line). Restore the list (git checkout {SARIF_RULE_IDS_PATH}) \
             and run tests/update-snapshots"
        );
        let well_formed =
            !check.is_empty() && check.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        assert!(well_formed, "{SARIF_RULE_IDS_PATH}: {line:?} is not a rule id and a check id");
        assert!(listed.insert(check), "{SARIF_RULE_IDS_PATH}: {check} has two rule ids");
    }
    let mut expected = text.clone();
    if !expected.ends_with('\n') {
        expected.push('\n');
    }
    for check in CHECKS.iter().filter(|check| !listed.contains(check.id)) {
        numbered += 1;
        expected.push_str(&format!("BH{numbered:04} {}\n", check.id));
    }
    assert_snapshot(SARIF_RULE_IDS_PATH, &expected);
}

/// The fixture-format reference in `localstack/README.md` is generated from
/// the seeder's one schema (`localstack/seeding/schema.py --write`).
#[test]
fn the_fixture_reference_is_generated_from_the_seeder_schema() {
    let mode = if updating() { "--write" } else { "--check" };
    let output = Command::new("python3")
        .arg(root().join("localstack/seeding/schema.py"))
        .arg(mode)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "localstack/README.md is stale: run tests/update-snapshots (or python3 localstack/seeding/schema.py --write)\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const BEGIN: &str = "// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.\n";
const END: &str = "// END test modules.\n";

/// `tests/checks/<service>/mod.rs` declares one module per file beside it,
/// between the markers, so a new test file is compiled without a hand edit.
#[test]
fn every_test_file_is_a_module_of_its_service() {
    let dir = root().join("tests/checks");
    let mut services: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    services.retain(|path| path.is_dir());
    services.sort();
    for service in services {
        let mut modules: Vec<String> = std::fs::read_dir(&service)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
            .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
            .filter(|stem| stem != "mod")
            .collect();
        modules.sort();
        let path = format!("tests/checks/{}/mod.rs", service.file_name().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
            panic!("{path} lacks the lines\n{BEGIN}{END}");
        };
        let lines: String = modules.iter().map(|module| format!("mod {module};\n")).collect();
        let generated = format!("{}{BEGIN}{lines}{}", &text[..start], &text[end..]);
        assert_snapshot(&path, &generated);
    }
}

/// The check files are declared by build.rs (in `OUT_DIR`), where `cargo
/// fmt` does not look, so they are held to rustfmt here (and formatted by
/// `tests/update-snapshots`).
#[test]
fn check_files_are_formatted() {
    let mut files = Vec::new();
    for service in std::fs::read_dir(root().join("src/checks")).unwrap().map(|entry| entry.unwrap().path()) {
        let Some(prefix) = service.is_dir().then(|| format!("{}_", service.file_name().unwrap().to_string_lossy()))
        else {
            continue;
        };
        files.extend(std::fs::read_dir(&service).unwrap().map(|entry| entry.unwrap().path()).filter(|file| {
            file.extension().is_some_and(|ext| ext == "rs")
                && file.file_name().is_some_and(|name| name.to_string_lossy().starts_with(&prefix))
        }));
    }
    assert!(!files.is_empty());
    let mut rustfmt = Command::new("rustfmt");
    rustfmt.args(["--edition", "2024", "--config-path"]).arg(root().join("rustfmt.toml"));
    if !updating() {
        rustfmt.arg("--check");
    }
    let output = rustfmt.args(&files).output().expect("rustfmt runs (rustup component add rustfmt)");
    assert!(
        output.status.success(),
        "check files are not formatted: run tests/update-snapshots (or rustfmt on them)\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
