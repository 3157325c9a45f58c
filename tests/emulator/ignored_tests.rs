//! The emulator tests are the ignored tests. A plain `cargo test` reports
//! them as ignored; `localstack/run-tests` runs them by running the ignored
//! tests (`--include-ignored`), so any other ignored test would run there
//! too. Hence, over the crate's sources: an ignored test is an emulator test
//! (in this binary, with [`REASON`]) or one the script's `skip=(...)` list
//! names (a test that another test runs, in a child process, never on its
//! own); the list names no test that is not ignored; and no doc test is
//! ignored.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::support::repo_root;

/// The reason every emulator test gives in its `ignore` attribute.
const REASON: &str = "needs the AWS emulator: run localstack/run-tests";

/// A function with attributes, as the sources spell it.
#[derive(Debug, PartialEq)]
struct Item {
    /// The test's name as the harness prints it (`module::path::function`).
    name: String,
    line: usize,
    attributes: Vec<String>,
}

impl Item {
    fn ignore(&self) -> Option<&str> {
        let ignore = Regex::new(r"^#\[\s*(ignore\b|cfg_attr\(.*\bignore\b)").unwrap();
        self.attributes.iter().map(String::as_str).find(|attribute| ignore.is_match(attribute))
    }
}

/// The module path of a source file within its crate: `src/report/json/mod.rs`
/// is `report::json`, `tests/emulator/cli.rs` is `cli`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    // The crate root: `src/`, or `tests/<binary>/`.
    let root = if parts.first().is_some_and(|first| first == "tests") && parts.len() > 2 { 2 } else { 1 };
    parts.drain(..root.min(parts.len()));
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    parts
}

/// Every function of `source` that carries attributes, named within `module`
/// and the inline `mod NAME {` blocks around it.
fn items(source: &str, module: &[String]) -> Vec<Item> {
    let inline_mod = Regex::new(r"^(\s*)(pub(\([\w:]+\))? )?mod (\w+) \{\s*$").unwrap();
    let function = Regex::new(r"^\s*(pub(\([\w:]+\))? )?(async )?fn (\w+)").unwrap();
    let mut mods: Vec<(usize, String)> = Vec::new();
    let mut attributes = Vec::new();
    let mut found = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if let Some(captures) = inline_mod.captures(line) {
            mods.push((captures[1].len(), captures[4].to_owned()));
        } else if trimmed == "}" && mods.last().is_some_and(|(open, _)| *open == indent) {
            mods.pop();
        }
        if trimmed.starts_with("#[") {
            attributes.push(trimmed.to_owned());
        } else if let Some(captures) = function.captures(line) {
            if !attributes.is_empty() {
                let path = module.iter().cloned().chain(mods.iter().map(|(_, name)| name.clone()));
                let name = path.chain([captures[4].to_owned()]).collect::<Vec<_>>().join("::");
                found.push(Item { name, line: index + 1, attributes: std::mem::take(&mut attributes) });
            }
        } else if !trimmed.starts_with("//") {
            attributes.clear();
        }
    }
    found
}

/// The `.rs` files under `dir`, build output and installed packages aside.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.map(Result::unwrap) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "node_modules" && name != "target" {
                rust_files(&path, files);
            }
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
}

/// The names in `localstack/run-tests`' `skip=(...)` line.
fn skipped_by_run_tests() -> Vec<String> {
    let script = std::fs::read_to_string(repo_root().join("localstack/run-tests")).unwrap();
    let line = script
        .lines()
        .find_map(|line| line.strip_prefix("skip=(")?.strip_suffix(')'))
        .expect("localstack/run-tests has a `skip=(...)` line");
    line.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn only_emulator_tests_are_ignored() {
    let root = repo_root();
    let skipped = skipped_by_run_tests();
    let marker = format!("#[ignore = {REASON:?}]");
    let ignored_doc_test = Regex::new(r"^\s*//[/!]\s*```[\w,]*\bignore\b").unwrap();
    let emulator_dir = root.join("tests/emulator");
    let this_file = emulator_dir.join("ignored_tests.rs");

    let mut files = vec![root.join("build.rs")];
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    let mut problems = Vec::new();
    let mut ignored = Vec::new();
    for file in files.iter().filter(|file| **file != this_file) {
        let relative = file.strip_prefix(&root).unwrap();
        let source = std::fs::read_to_string(file).unwrap();
        for (index, line) in source.lines().enumerate() {
            if ignored_doc_test.is_match(line) {
                problems.push(format!(
                    "{}:{}: an ignored doc test would run under localstack/run-tests: use `no_run`, or `text` for what is not Rust",
                    relative.display(),
                    index + 1
                ));
            }
        }
        let in_emulator_binary = file.starts_with(&emulator_dir);
        for item in items(&source, &module_of(relative)) {
            let at = format!("{}:{}: {}", relative.display(), item.line, item.name);
            let named = skipped.contains(&item.name);
            match item.ignore() {
                Some(attribute) if named || (in_emulator_binary && attribute == marker) => ignored.push(item.name),
                Some(attribute) => problems.push(format!(
                    "{at}: `{attribute}` would run under localstack/run-tests, which runs ignored tests: \
                     only emulator tests (in tests/emulator, with `{marker}`) are ignored"
                )),
                None => {}
            }
        }
    }
    for name in skipped.iter().filter(|name| !ignored.contains(name)) {
        problems.push(format!("localstack/run-tests skips {name}, which is no ignored test: take it off `skip=(...)`"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(ignored.len() > 50, "the emulator tests were not found: {ignored:?}");
}

#[test]
fn a_test_is_named_by_its_file_and_inline_modules() {
    let source = "\
#[cfg(test)]
mod tests {
    #[test]
    // A comment between the attributes.
    #[ignore]
    fn rewrites() {}

    fn helper() {}
}

#[test]
fn top() {}
";
    let module = module_of(Path::new("src/report/json/mod.rs"));
    assert_eq!(module, ["report", "json"]);
    let found = items(source, &module);
    let names: Vec<&str> = found.iter().map(|item| item.name.as_str()).collect();
    assert_eq!(names, ["report::json::tests::rewrites", "report::json::top"]);
    assert_eq!(found[0].ignore(), Some("#[ignore]"));
    assert_eq!((found[1].attributes.as_slice(), found[1].ignore()), (["#[test]".to_owned()].as_slice(), None));
    assert_eq!(module_of(Path::new("tests/emulator/cli.rs")), ["cli"]);
    assert_eq!(module_of(Path::new("tests/checks/ec2/mod.rs")), ["ec2"]);
    assert_eq!(module_of(Path::new("src/lib.rs")), Vec::<String>::new());
}
