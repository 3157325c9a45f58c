//! The release workflow for the public repository
//! (`.github/workflows/release.yml`), which cannot run here: actionlint
//! (installed by localstack/install-test-tools in tests/release/.venv, with
//! shellcheck for its scripts) passes it and refuses a broken copy; it pins
//! the same SBOM tool and names the same image as release/ and the
//! Containerfile.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::repo_root;

fn actionlint(workflow: &Path) -> Output {
    let binary = repo_root().join("tests/release/.venv/bin/actionlint");
    Command::new(&binary)
        .arg("-no-color")
        .arg(workflow)
        .output()
        .unwrap_or_else(|err| panic!("running {} (localstack/install-test-tools installs it): {err}", binary.display()))
}

/// The value of `NAME=value`, `NAME: value` or `ARG NAME=value` in `text`.
fn setting(text: &str, name: &str) -> String {
    text.lines()
        .map(|line| line.trim().trim_start_matches("ARG "))
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(['=', ':']))
        .map(|value| value.trim().trim_matches('"').to_owned())
        .unwrap_or_else(|| panic!("no {name} setting"))
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_release_workflow_passes_actionlint() {
    let root = repo_root();
    let workflow = root.join(".github/workflows/release.yml");
    let output = actionlint(&workflow);
    assert!(
        output.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // It does check: an unknown runner label and a misspelt key fail.
    let text = std::fs::read_to_string(&workflow).unwrap();
    let broken = text.replacen("runs-on: ubuntu-24.04\n", "runs-on: ubuntu-24.04\n    timeout-minute: 5\n", 1);
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("release.yml");
    std::fs::write(&copy, broken.replace("ubuntu-24.04-arm", "ubuntu-24.04-armm")).unwrap();
    let refused = actionlint(&copy);
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success(), "actionlint accepted a broken workflow");
    assert!(said.contains("ubuntu-24.04-armm") && said.contains("timeout-minute"), "{said}");

    let lib = std::fs::read_to_string(root.join("release/lib.sh")).unwrap();
    let containerfile = std::fs::read_to_string(root.join("Containerfile")).unwrap();
    let version = setting(&lib, "CYCLONEDX_VERSION");
    assert_eq!(setting(&containerfile, "CYCLONEDX_VERSION"), version, "the Containerfile's cargo-cyclonedx");
    assert_eq!(setting(&text, "CYCLONEDX_VERSION"), version, "the workflow's cargo-cyclonedx");
    assert_eq!(setting(&text, "IMAGE"), setting(&lib, "IMAGE_NAME"), "the workflow's image");
}
