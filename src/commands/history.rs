//! `bulkhead history list|prune`: the scans a store holds.

use std::fmt::Write as _;
use std::process::ExitCode;

use super::{fatal, print_bytes};
use crate::cli::{HistoryCommand, ListFormat};
use crate::history::{Prune, Store};

pub fn run(command: &HistoryCommand) -> ExitCode {
    match command {
        HistoryCommand::List { store, format } => match list(store, *format) {
            Ok(text) => print_bytes(text.as_bytes()),
            Err(err) => fatal(&err),
        },
        HistoryCommand::Prune { store, keep, older_than } => {
            let prune = match (keep, older_than) {
                (Some(keep), _) => Prune::KeepNewest(*keep),
                (None, Some(days)) => Prune::OlderThanDays(*days),
                (None, None) => unreachable!("clap requires --keep or --older-than"),
            };
            match Store::open_existing(store).and_then(|mut opened| opened.prune(prune, jiff::Timestamp::now())) {
                Ok(removed) => {
                    eprintln!("bulkhead: removed {removed} scan(s) from {}", store.display());
                    ExitCode::SUCCESS
                }
                Err(err) => fatal(&err.into()),
            }
        }
    }
}

fn list(store: &std::path::Path, format: ListFormat) -> anyhow::Result<String> {
    let scans = Store::open_to_read(store)?.list()?;
    Ok(match format {
        ListFormat::Json => serde_json::to_string_pretty(&scans).expect("plain values serialise") + "\n",
        ListFormat::Text | ListFormat::Markdown => {
            let mut text = format!(
                "{:>6}  {:27}  {:11}  {:>8}  {:>6}  {:>6}  {:>6}  {:>6}\n",
                "scan", "started", "state", "accounts", "checks", "PASS", "FAIL", "ERROR"
            );
            for scan in scans {
                writeln!(
                    text,
                    "{:>6}  {:27}  {:11}  {:>8}  {:>6}  {:>6}  {:>6}  {:>6}{}",
                    scan.id,
                    scan.started_at,
                    scan.state,
                    scan.accounts,
                    scan.checks,
                    scan.pass,
                    scan.fail,
                    scan.error,
                    scan.problem.map(|problem| format!("  ({problem})")).unwrap_or_default(),
                )
                .expect("writing to a String");
            }
            text
        }
    })
}
