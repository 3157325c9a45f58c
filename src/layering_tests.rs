//! Data flows one way: no stage imports a later one. This test reads the
//! source and fails on a `crate::` path that crosses a line below.

use std::fs;
use std::path::{Path, PathBuf};

/// Every top-level module: what the leaf parsers and evaluators (the IAM
/// policy language, images, the secret detector) must not name. They sit
/// below inventory and import nothing of the crate, each other included.
const EVERY_MODULE: &[&str] = &[
    "assemble",
    "aws",
    "checks",
    "cli",
    "commands",
    "config",
    "discovery",
    "evaluation",
    "fatal",
    "history",
    "image",
    "inventory",
    "manual",
    "model",
    "mutelist",
    "outcome",
    "pipeline",
    "plan",
    "policy",
    "prioritise",
    "progress",
    "report",
    "rules",
    "saved_inventory",
    "secrets",
    "severity",
    "shard",
    "usage",
];

/// Each module (a file or a folder under `src/`) and the top-level modules
/// it must not name.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("policy", EVERY_MODULE),
    ("image", EVERY_MODULE),
    ("secrets.rs", EVERY_MODULE),
    ("aws", &["inventory", "rules", "checks", "mutelist", "outcome", "assemble", "report", "scan", "plan", "cli"]),
    ("inventory", &["rules", "checks", "mutelist", "outcome", "assemble", "report", "scan", "plan", "cli"]),
    ("rules", &["checks", "mutelist", "outcome", "assemble", "report", "scan", "plan", "cli"]),
    ("checks", &["mutelist", "outcome", "assemble", "report", "scan", "plan", "cli"]),
    ("mutelist.rs", &["outcome", "assemble", "report", "scan", "plan", "cli"]),
    ("outcome.rs", &["assemble", "report", "scan", "cli"]),
    // The vulnerability ranking reads inventory and builds report entries; it never collects or judges.
    ("prioritise.rs", &["aws", "checks", "mutelist", "outcome", "history", "evaluation", "scan", "plan", "cli"]),
    // Discovery runs before any account is scanned and knows nothing of what a scan finds.
    (
        "discovery.rs",
        &[
            "rules",
            "checks",
            "mutelist",
            "outcome",
            "assemble",
            "report",
            "history",
            "evaluation",
            "scan",
            "plan",
            "cli",
        ],
    ),
    // History compares findings and builds the report's changes; it never
    // reaches back into collection, checks or the commands.
    ("history", &["aws", "inventory", "rules", "checks", "mutelist", "evaluation", "scan", "offline", "plan", "cli"]),
    // Sharding is a pure rule over account ids; it knows no stage.
    (
        "shard.rs",
        &[
            "aws",
            "inventory",
            "rules",
            "checks",
            "mutelist",
            "outcome",
            "assemble",
            "report",
            "history",
            "evaluation",
            "scan",
            "plan",
            "cli",
        ],
    ),
    // Merge reads finished reports: it never collects or evaluates.
    (
        "commands/merge.rs",
        &["aws", "inventory", "rules", "checks", "mutelist", "assemble", "history", "scan", "plan", "offline"],
    ),
    ("saved_inventory.rs", &["checks", "mutelist", "outcome", "assemble", "report", "evaluation", "scan", "cli"]),
    // The binary's edge: what it prints reads errors and the command line, never a stage's data.
    (
        "fatal.rs",
        &[
            "inventory",
            "rules",
            "checks",
            "mutelist",
            "outcome",
            "assemble",
            "report",
            "history",
            "evaluation",
            "scan",
            "plan",
        ],
    ),
    (
        "manual.rs",
        &["aws", "inventory", "rules", "checks", "mutelist", "outcome", "assemble", "report", "scan", "plan"],
    ),
    (
        "report",
        &[
            "aws",
            "inventory",
            "rules",
            "checks",
            "mutelist",
            "outcome",
            "assemble",
            "scan",
            "plan",
            "cli",
            "config",
            "history",
            "evaluation",
        ],
    ),
];

fn sources(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path).unwrap() {
        files.extend(sources(&entry.unwrap().path()));
    }
    files
}

/// The top-level modules a file names through `crate::`, comments aside.
fn named_modules(text: &str) -> Vec<String> {
    let mut named = Vec::new();
    for line in text.lines().filter(|line| !line.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let module: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            named.push(module);
        }
    }
    named
}

#[test]
fn no_stage_imports_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut crossings = Vec::new();
    for (module, forbidden) in FORBIDDEN {
        let files = sources(&src.join(module));
        assert!(!files.is_empty(), "src/{module} has no source files");
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            for named in named_modules(&text) {
                if forbidden.contains(&named.as_str()) {
                    crossings.push(format!("{} names crate::{named}", file.strip_prefix(&src).unwrap().display()));
                }
            }
        }
    }
    assert!(crossings.is_empty(), "later stages imported:\n{}", crossings.join("\n"));
}

#[test]
fn the_test_sees_an_import() {
    assert_eq!(
        named_modules("use crate::report::Report;\n// crate::checks\nlet x = crate::aws::Service::Ec2;"),
        ["report", "aws"]
    );
}
