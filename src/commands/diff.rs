//! `bulkhead diff [BASE] [NEW]`: what changed between two scans, each a
//! scan of the store or a JSON report.

use std::process::ExitCode;

use super::{fatal, print_bytes};
use crate::cli::{DiffArgs, DiffFormat};
use crate::history::{self, ScanRef, Snapshot, Store};
use crate::report::changes;

pub fn run(args: &DiffArgs) -> ExitCode {
    match compare(args) {
        Ok(text) => match &args.output {
            Some(path) => match crate::files::write_atomically(path, text.as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fatal(&anyhow::Error::new(err).context(format!("writing {}", path.display()))),
            },
            None => print_bytes(text.as_bytes()),
        },
        Err(err) => fatal(&err),
    }
}

/// The changes, rendered in the format asked for.
fn compare(args: &DiffArgs) -> anyhow::Result<String> {
    let new_ref = args.new.clone().unwrap_or(ScanRef::Latest);
    let in_store = |reference: &ScanRef| !matches!(reference, ScanRef::Report(_));
    let store = if in_store(&new_ref) || args.base.as_ref().is_none_or(in_store) {
        Some(Store::open_existing(&args.store)?)
    } else {
        None
    };
    let opened = || store.as_ref().expect("opened when a scan id is named");
    let read = |reference: &ScanRef| -> anyhow::Result<Snapshot> {
        Ok(match reference {
            ScanRef::Report(path) => history::read_report(path)?,
            stored => opened().snapshot_of(stored.store_id())?,
        })
    };
    let new = read(&new_ref)?;
    let base = match &args.base {
        Some(base) => read(base)?,
        None => {
            let Some(new_id) = new.header.id else {
                anyhow::bail!("name the base scan when the new one is a report file");
            };
            let store = opened();
            let Some(base_id) = store.latest(Some(new_id))? else {
                anyhow::bail!("the store {} has no scan before scan {new_id} to compare with", args.store.display());
            };
            store.snapshot(base_id)?
        }
    };
    let changes = history::compare(&base, &new);
    Ok(match args.format {
        DiffFormat::Text => changes::text(&changes),
        DiffFormat::Json => changes::json(&changes),
        DiffFormat::Html => changes::html(&changes)?,
    })
}
