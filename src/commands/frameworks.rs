//! `bulkhead frameworks`: the compliance frameworks checks map to.

use std::fmt::Write as _;
use std::process::ExitCode;

use super::{fatal, print_bytes};
use crate::checks::metadata::frameworks;

pub fn run() -> ExitCode {
    let frameworks = match frameworks() {
        Ok(frameworks) => frameworks,
        Err(err) => return fatal(&err.into()),
    };
    let width = frameworks.iter().map(|(framework, _)| framework.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (framework, _) in frameworks {
        writeln!(
            text,
            "{:width$}  {} {} ({} controls mapped)",
            framework.id,
            framework.name,
            framework.version,
            framework.controls.len()
        )
        .expect("writing to a String");
    }
    print_bytes(text.as_bytes())
}
