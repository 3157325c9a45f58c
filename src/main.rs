use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use bulkhead::checks::metadata::catalog;
use bulkhead::checks::registry::CHECKS;
use bulkhead::cli::{ChecksArgs, Cli, Command, ListFormat};
use bulkhead::scan::{self, UsageError};

/// Exit codes: 0 passed, 1 fatal error, 2 usage error, 3 failing findings,
/// 4 incomplete scan (collection errors).
fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match cli.command {
        Command::Checks(args) => list_checks(&args),
        Command::Scan(args) => {
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(err) => return fatal(&anyhow::Error::new(err).context("starting the async runtime")),
            };
            match runtime.block_on(scan::run(&args)) {
                Ok(outcome) => outcome.into(),
                Err(err) if err.downcast_ref::<UsageError>().is_some() => {
                    eprintln!("bulkhead: error: {err}");
                    ExitCode::from(2)
                }
                Err(err) => fatal(&err),
            }
        }
    }
}

fn fatal(err: &anyhow::Error) -> ExitCode {
    eprintln!("bulkhead: error: {err:#}");
    ExitCode::from(1)
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        // aws_config warns on every IMDS probe off EC2; the chain falls back anyway.
        0 => "warn,aws_config=error",
        1 => "bulkhead=info,warn",
        _ => "bulkhead=debug,info",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // No colour codes when stderr is a file or a pipe (CI logs).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).init();
}

fn list_checks(args: &ChecksArgs) -> ExitCode {
    let catalog = match catalog() {
        Ok(catalog) => catalog,
        Err(err) => return fatal(&err.into()),
    };
    let entries: Vec<_> = CHECKS.iter().map(|check| &catalog[check.id]).collect();
    match args.format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = entries
                .iter()
                .map(|entry| {
                    serde_json::json!({
                        "id": entry.id,
                        "severity": entry.metadata.severity,
                        "service": entry.service,
                        "title": entry.metadata.title,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows).expect("plain JSON values serialise"));
        }
        ListFormat::Text => {
            let width = entries.iter().map(|entry| entry.id.len()).max().unwrap_or(0);
            for entry in entries {
                println!(
                    "{:width$}  {:13}  {:10}  {}",
                    entry.id,
                    entry.metadata.severity.as_str(),
                    entry.service,
                    entry.metadata.title
                );
            }
        }
    }
    ExitCode::SUCCESS
}
