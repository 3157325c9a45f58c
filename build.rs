//! Generates, into `OUT_DIR`, what would otherwise be kept by hand:
//!
//! - `embedded_metadata.rs`: the check metadata (`checks/<service>/<check_id>.toml`),
//!   the compliance frameworks (`checks/compliance/<framework>.toml`) and the
//!   frozen SARIF rule ids (`checks/sarif-rule-ids.txt`), embedded through
//!   `include_str!`, so editing or adding a file rebuilds;
//! - `checks/<service>.rs`: one `pub mod` per check file of a service, every
//!   `src/checks/<service>/<service>_*.rs` (the other files there are helper
//!   modules, declared by hand);
//! - `registry.rs`: `CHECKS`, every one of those checks, by check id.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    // Read at run time, not with env!(): cargo reuses a compiled build script
    // across checkouts that share a target dir, and env!() would point it at
    // the checkout it was compiled in (which may be gone: no checks at all).
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let root = manifest_dir.join("checks");
    println!("cargo:rerun-if-changed={}", root.display());

    let services: Vec<PathBuf> = sorted_dir(&root)
        .into_iter()
        .filter(|dir| dir.is_dir() && dir.file_name().is_some_and(|name| name != "compliance"))
        .collect();
    let sarif_ids = root.join("sarif-rule-ids.txt");
    let source = format!(
        "pub static EMBEDDED: &[EmbeddedMetadata] = &[\n{}];\n\
         pub static EMBEDDED_FRAMEWORKS: &[EmbeddedFramework] = &[\n{}];\n\
         pub static SARIF_RULE_IDS: &str = include_str!({:?});\n",
        metadata_entries(&services),
        framework_entries(&root.join("compliance")),
        sarif_ids.display().to_string(),
    );
    write_if_changed(&out_dir.join("embedded_metadata.rs"), &source);

    let mut registry = Vec::new();
    fs::create_dir_all(out_dir.join("checks")).unwrap();
    for service in &services {
        let name = file_name(service);
        let code = manifest_dir.join("src/checks").join(&name);
        println!("cargo:rerun-if-changed={}", code.display());
        let mut modules = String::new();
        for file in check_files(&code, &name) {
            let id = stem(&file);
            modules.push_str(&format!("#[path = {:?}]\npub mod {id};\n", file.display().to_string()));
            registry.push((id.clone(), format!("super::{name}::{id}::CHECK")));
        }
        write_if_changed(&out_dir.join("checks").join(format!("{name}.rs")), &modules);
    }
    assert!(!registry.is_empty(), "no check found under {}", manifest_dir.join("src/checks").display());
    registry.sort();
    let checks: String = registry.iter().map(|(_, check)| format!("    {check},\n")).collect();
    let stems: String = registry.iter().map(|(id, _)| format!("    {id:?},\n")).collect();
    write_if_changed(
        &out_dir.join("registry.rs"),
        &format!(
            "pub static CHECKS: &[Check] = &[\n{checks}];\n\
             /// The file each of [`CHECKS`] comes from, by name.\n\
             #[cfg(test)]\nstatic CHECK_FILE_STEMS: &[&str] = &[\n{stems}];\n"
        ),
    );
}

/// One `EmbeddedMetadata` per `checks/<service>/*.toml`.
fn metadata_entries(services: &[PathBuf]) -> String {
    let mut entries = String::new();
    for service in services {
        let service_name = file_name(service);
        for file in sorted_dir(service).into_iter().filter(|file| has_extension(file, "toml")) {
            entries.push_str(&format!(
                "    EmbeddedMetadata {{ service: {service_name:?}, file_stem: {stem:?}, path: {path:?}, toml: include_str!({path:?}) }},\n",
                stem = stem(&file),
                path = file.display().to_string(),
            ));
        }
    }
    assert!(!entries.is_empty(), "no check metadata found under checks/");
    entries
}

/// One `EmbeddedFramework` per `checks/compliance/*.toml`.
fn framework_entries(dir: &Path) -> String {
    sorted_dir(dir)
        .into_iter()
        .filter(|file| has_extension(file, "toml"))
        .map(|file| {
            format!(
                "    EmbeddedFramework {{ path: {path:?}, toml: include_str!({path:?}) }},\n",
                path = file.display().to_string(),
            )
        })
        .collect()
}

/// The check files of a service: `<service>_*.rs`, the file name being the check id.
fn check_files(dir: &Path, service: &str) -> Vec<PathBuf> {
    let prefix = format!("{service}_");
    sorted_dir(dir).into_iter().filter(|file| has_extension(file, "rs") && stem(file).starts_with(&prefix)).collect()
}

/// Leaves the file (and so its timestamp) alone when nothing changed.
fn write_if_changed(path: &Path, content: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(content) {
        fs::write(path, content).unwrap_or_else(|err| panic!("writing {}: {err}", path.display()));
    }
}

fn has_extension(file: &Path, extension: &str) -> bool {
    file.is_file() && file.extension().is_some_and(|ext| ext == extension)
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn sorted_dir(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
}
