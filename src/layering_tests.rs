//! Data flows one way. The layers table in CONTRIBUTING.md ("Layers") is
//! the rule: every module of `src/` sits on one layer and names (through
//! `crate::`) only modules of the layers below it. This test reads the
//! table and the sources, and fails on an import that goes up or sideways
//! and on a module the table does not place (or places twice).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Test-only modules of the crate: they may reach anywhere.
const TEST_MODULES: &[&str] = &["layering_tests", "fleet_tests"];

/// `module -> layer`, from the table between the layers markers.
fn layers(contributing: &str) -> Result<BTreeMap<String, u32>, String> {
    let start = contributing.find("<!-- layers:").ok_or("CONTRIBUTING.md has no layers table")?;
    let end = contributing[start..].find("<!-- /layers -->").ok_or("the layers table has no end marker")? + start;
    let mut placed = BTreeMap::new();
    for row in contributing[start..end].lines().filter(|line| line.starts_with('|')) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let Ok(layer) = cells[0].parse::<u32>() else { continue };
        for module in cells.get(1).ok_or_else(|| format!("row {row:?} has no modules"))?.split(',') {
            if let Some(before) = placed.insert(module.trim().to_owned(), layer) {
                return Err(format!("{} is on layers {before} and {layer}", module.trim()));
            }
        }
    }
    Ok(placed)
}

/// The crate's top-level modules: `src/NAME.rs` and `src/NAME/`.
fn modules(src: &Path) -> Vec<(String, Vec<PathBuf>)> {
    let mut modules = Vec::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if matches!(name.as_str(), "lib" | "main") || TEST_MODULES.contains(&name.as_str()) {
            continue;
        }
        modules.push((name, sources(&path)));
    }
    modules.sort();
    modules
}

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
fn every_module_imports_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table = layers(&fs::read_to_string(root.join("CONTRIBUTING.md")).unwrap()).unwrap();
    let src = root.join("src");
    let mut problems = Vec::new();
    let modules = modules(&src);
    for (module, files) in &modules {
        let Some(&layer) = table.get(module) else {
            problems.push(format!("src/{module} is on no layer of CONTRIBUTING.md's table"));
            continue;
        };
        for file in files {
            let text = fs::read_to_string(file).unwrap();
            for named in named_modules(&text) {
                if named == *module {
                    continue;
                }
                match table.get(&named) {
                    Some(&other) if other < layer => {}
                    Some(&other) => problems.push(format!(
                        "{} (layer {layer}) names crate::{named} (layer {other})",
                        file.strip_prefix(&src).unwrap().display()
                    )),
                    None => problems.push(format!(
                        "{} names crate::{named}, which is on no layer",
                        file.strip_prefix(&src).unwrap().display()
                    )),
                }
            }
        }
    }
    for listed in table.keys().filter(|listed| !modules.iter().any(|(module, _)| module == *listed)) {
        problems.push(format!("the table places {listed}, which is no module of src/"));
    }
    assert!(problems.is_empty(), "the layers are crossed:\n{}", problems.join("\n"));
}

#[test]
fn the_test_sees_an_import_and_reads_the_table() {
    assert_eq!(
        named_modules("use crate::report::Report;\n// crate::checks\nlet x = crate::aws::Service::Ec2;"),
        ["report", "aws"]
    );
    let table = "<!-- layers: x -->\n| layer | modules | what |\n|---|---|---|\n| 2 | a, b | . |\n| 0 | c | . |\n<!-- /layers -->";
    let placed = layers(table).unwrap();
    assert_eq!(placed.into_iter().collect::<Vec<_>>(), [("a".into(), 2), ("b".into(), 2), ("c".into(), 0)]);
    assert_eq!(layers(&table.replace("| c |", "| a |")).unwrap_err(), "a is on layers 2 and 0");
}
