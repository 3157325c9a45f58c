//! Every command that prints to stdout ends quietly when its reader has
//! gone (`bulkhead checks | head -1`), as a Unix filter does: exit 0 and
//! not a word about it on stderr. `BULKHEAD_BINARY=PATH` runs the same on
//! another build, such as the release profile, where a panic aborts.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{bulkhead, repo_root};

/// The binary under test (`BULKHEAD_BINARY`, else this build's), with the
/// clean environment of [`bulkhead`].
pub fn binary() -> Command {
    let template = bulkhead();
    let Some(path) = std::env::var_os("BULKHEAD_BINARY") else { return template };
    let mut command = Command::new(path);
    for (name, value) in template.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command
}

/// Runs `command` with stdout a pipe whose reading end is already closed,
/// so that its first write fails with EPIPE.
pub fn with_stdout_closed(command: &mut Command) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    command.stdout(writer).output().expect("running bulkhead")
}

/// Exit 0 and no complaint, for `args` run with stdout closed.
pub fn assert_quiet_on_a_closed_pipe(args: &[&str], output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{args:?} with stdout closed: {:?}\n{stderr}", output.status);
    for complaint in ["panicked", "Broken pipe", "failed printing", "error"] {
        assert!(!stderr.contains(complaint), "{args:?} with stdout closed says {complaint:?}:\n{stderr}");
    }
}

/// A store with two scans and their JSON reports, from the saved demo
/// inventory: what `history` and `diff` read, with no AWS call.
fn two_scans(dir: &Path) -> (String, String, String) {
    let inventory = repo_root().join("tests/fixtures/inventories/demo-v1.json.gz");
    let store = dir.join("scans.db");
    for name in ["first", "second"] {
        let output = binary()
            .args(["evaluate", "--quiet", "--inventory", inventory.to_str().unwrap()])
            .args(["--output-dir", dir.to_str().unwrap(), "--output-name", name, "--output-formats", "json"])
            .args(["--store", store.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let path = |file: &str| dir.join(file).to_str().unwrap().to_owned();
    (path("scans.db"), path("first.json"), path("second.json"))
}

#[test]
fn every_command_that_prints_ends_quietly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let (store, first, second) = two_scans(dir.path());
    let pages = dir.path().join("man1");
    let commands: Vec<Vec<&str>> = vec![
        vec!["checks"],
        vec!["checks", "--format", "json"],
        vec!["checks", "--format", "markdown"],
        vec!["checks", "--compliance", "cis-aws-4.0.1"],
        vec!["frameworks"],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["man", "scan"],
        vec!["man", "--output-dir", pages.to_str().unwrap()],
        vec!["--help"],
        vec!["scan", "--help"],
        vec!["--version"],
        vec!["history", "list", "--store", &store],
        vec!["history", "list", "--store", &store, "--format", "json"],
        vec!["diff", "--store", &store],
        vec!["diff", "--store", &store, "--format", "json"],
        vec!["diff", "--store", &store, "--format", "html"],
        vec!["diff", &first, &second],
    ];
    for args in commands {
        let output = with_stdout_closed(binary().args(&args));
        assert_quiet_on_a_closed_pipe(&args, &output);
    }
}
