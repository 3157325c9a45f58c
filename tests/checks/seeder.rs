//! The emulator's seeder (localstack/seeding) takes, in a task definition
//! or a container, any field of the ECS API's own shape and sends it as
//! given, so a fixture needs no seeder change for a field bulkhead starts
//! reading; botocore's model of the API still refuses a misspelt key. Run
//! with the seeder's venv (`localstack/install`); without it the test says
//! so and passes, unless `BULKHEAD_REQUIRE_EMULATOR=1` (`localstack/run-tests`).

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::snapshot::root;

/// Parses a fixture whose one task definition has `task_definition` keys and
/// whose one container has `container` keys (YAML flow mappings): the API
/// fields passed through, as JSON, or the fixture error.
fn parse(task_definition: &str, container: &str) -> Option<Result<String, String>> {
    let python = root().join("localstack/.venv/bin/python");
    if !python.exists() {
        let required = std::env::var_os("BULKHEAD_REQUIRE_EMULATOR").is_some_and(|value| value == "1");
        assert!(!required, "{} is missing: run localstack/install", python.display());
        eprintln!("skipped: {} is missing (localstack/install builds it)", python.display());
        return None;
    }
    let fixture = format!(
        "regions:\n  eu-west-1:\n    ecs_task_definitions:\n      - {{family: app, {task_definition} containers: [{{name: web, image: busybox, {container}}}]}}\n"
    );
    let script = r#"
import json, sys, yaml
sys.path.insert(0, "localstack")
from seeding.fixture import parse_fixture
from seeding.validate import FixtureError
try:
    regions, _, _ = parse_fixture(yaml.safe_load(sys.stdin))
except FixtureError as error:
    print(f"error: {error}")
else:
    definition = regions[0].ecs_task_definitions[0]
    print(json.dumps([definition.api_fields, definition.containers[0].api_fields], sort_keys=True))
"#;
    let mut child = Command::new(python)
        .args(["-c", script])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(fixture.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    Some(match text.strip_prefix("error: ") {
        Some(error) => Err(error.to_owned()),
        None => Ok(text),
    })
}

#[test]
fn api_fields_pass_through_and_typos_are_refused() {
    let Some(passed) =
        parse("runtimePlatform: {cpuArchitecture: ARM64},", "linuxParameters: {capabilities: {add: [SYS_ADMIN]}}")
    else {
        return;
    };
    assert_eq!(
        passed.unwrap(),
        r#"[{"runtimePlatform": {"cpuArchitecture": "ARM64"}}, {"linuxParameters": {"capabilities": {"add": ["SYS_ADMIN"]}}}]"#
    );

    let container = "regions.eu-west-1.ecs_task_definitions[0].containers[0]";
    let refused = |task_definition: &str, key: &str| parse(task_definition, key).unwrap().unwrap_err();
    let misspelt = refused("", "linuxParameter: {}");
    assert!(misspelt.starts_with(&format!("{container}: unknown key 'linuxParameter'")), "{misspelt}");
    assert!(misspelt.ends_with("did you mean 'linuxParameters'?)"), "{misspelt}");
    let nested = refused("", "linuxParameters: {capabilites: {add: [SYS_ADMIN]}}");
    assert!(nested.starts_with(&format!("{container}.linuxParameters: unknown key 'capabilites'")), "{nested}");
    let typed = refused("", "linuxParameters: {capabilities: {add: SYS_ADMIN}}");
    assert_eq!(typed, format!("{container}.linuxParameters.capabilities.add: expected a list, got str"));
    let choice = refused("runtimePlatform: {cpuArchitecture: ARM},", "");
    assert!(choice.ends_with("runtimePlatform.cpuArchitecture: expected one of X86_64, ARM64, got 'ARM'"), "{choice}");
    let seeders = refused("", "readonlyRootFilesystem: true");
    assert!(seeders.contains("the seeder's key 'readonly_root_filesystem' sets"), "{seeders}");
}
