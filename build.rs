//! Embeds the check metadata (`checks/<service>/<check_id>.toml`) and the
//! compliance frameworks (`checks/compliance/<framework>.toml`) in the
//! binary through `include_str!`, so editing or adding a file rebuilds.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    // Read at run time, not with env!(): cargo reuses a compiled build script
    // across checkouts that share a target dir, and env!() would point it at
    // the checkout it was compiled in (which may be gone: no checks at all).
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("checks");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut entries = Vec::new();
    let mut frameworks = Vec::new();
    for service in sorted_dir(&root) {
        if !service.is_dir() {
            continue;
        }
        if service.file_name().is_some_and(|name| name == "compliance") {
            println!("cargo:rerun-if-changed={}", service.display());
            for file in
                sorted_dir(&service).into_iter().filter(|file| file.extension().is_some_and(|ext| ext == "toml"))
            {
                frameworks.push(format!(
                    "    EmbeddedFramework {{ path: {path:?}, toml: include_str!({path:?}) }},\n",
                    path = file.display().to_string(),
                ));
            }
            continue;
        }
        println!("cargo:rerun-if-changed={}", service.display());
        let service_name = service.file_name().unwrap().to_string_lossy().into_owned();
        for file in sorted_dir(&service) {
            if file.extension().is_some_and(|ext| ext == "toml") {
                let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
                entries.push(format!(
                    "    EmbeddedMetadata {{ service: {service_name:?}, file_stem: {stem:?}, path: {path:?}, toml: include_str!({path:?}) }},\n",
                    path = file.display().to_string(),
                ));
            }
        }
    }
    assert!(!entries.is_empty(), "no check metadata found under {}", root.display());
    let source = format!(
        "pub static EMBEDDED: &[EmbeddedMetadata] = &[\n{}];\npub static EMBEDDED_FRAMEWORKS: &[EmbeddedFramework] = &[\n{}];\n",
        entries.concat(),
        frameworks.concat()
    );
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_metadata.rs");
    fs::write(out, source).unwrap();
}

fn sorted_dir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
}
