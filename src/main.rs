use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use bulkhead::checks::docs;
use bulkhead::checks::metadata::{catalog, frameworks};
use bulkhead::checks::registry::CHECKS;
use bulkhead::cli::{ChecksArgs, Cli, Command, DiffArgs, DiffFormat, HistoryCommand, ListFormat, ManArgs};
use bulkhead::fatal::{Setting, render};
use bulkhead::history::{Prune, ScanRef, Snapshot, Store};
use bulkhead::manual;
use bulkhead::outcome::Outcome;
use bulkhead::report::changes;
use bulkhead::scan::{self, UsageError};

/// Exit codes: 0 passed, 1 fatal error, 2 usage error, 3 failing findings,
/// 4 incomplete scan (collection errors).
fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match cli.command {
        Command::Checks(args) => list_checks(&args),
        Command::Frameworks => list_frameworks(),
        Command::Completions(args) => print_bytes(&manual::completions(args.shell)),
        Command::Man(args) => man(&args),
        Command::Scan(args) => {
            let setting = aws_setting(args.endpoint_url.as_deref(), cli.verbose);
            match block_on(scan::run(&args)) {
                Ok(result) => exit(result, &setting),
                Err(code) => code,
            }
        }
        Command::Accounts(args) => {
            let setting = aws_setting(args.endpoint_url.as_deref(), cli.verbose);
            match block_on(bulkhead::accounts::run(&args)) {
                Ok(Ok(text)) => print_bytes(text.as_bytes()),
                Ok(Err(err)) => {
                    eprint!("{}", render(&err, &setting));
                    ExitCode::from(if err.downcast_ref::<UsageError>().is_some() { 2 } else { 1 })
                }
                Err(code) => code,
            }
        }
        Command::Merge(args) => {
            exit(bulkhead::merge::run(&args), &Setting { endpoint_url: None, verbose: cli.verbose > 0 })
        }
        Command::Evaluate(args) => {
            exit(bulkhead::offline::run(&args), &Setting { endpoint_url: None, verbose: cli.verbose > 0 })
        }
        Command::Diff(args) => diff(&args),
        Command::History(command) => history(&command),
    }
}

/// How errors of a command that calls AWS are printed: `--endpoint-url`,
/// else `AWS_ENDPOINT_URL`, is where the calls went.
fn aws_setting(endpoint_url: Option<&str>, verbose: u8) -> Setting {
    Setting {
        endpoint_url: endpoint_url.map(str::to_owned).or_else(|| std::env::var("AWS_ENDPOINT_URL").ok()),
        verbose: verbose > 0,
    }
}

/// Runs a command's future on a current-thread runtime; `Err` is the exit
/// code of a runtime that could not start.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> Result<T, ExitCode> {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => Ok(runtime.block_on(future)),
        Err(err) => Err(fatal(&anyhow::Error::new(err).context("starting the async runtime"))),
    }
}

fn exit(result: anyhow::Result<Outcome>, setting: &Setting) -> ExitCode {
    match result {
        Ok(outcome) => outcome.into(),
        Err(err) => {
            eprint!("{}", render(&err, setting));
            let usage = err.downcast_ref::<UsageError>().is_some();
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// `bulkhead diff [BASE] [NEW]`.
fn diff(args: &DiffArgs) -> ExitCode {
    let result = (|| -> anyhow::Result<String> {
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
                ScanRef::Report(path) => bulkhead::history::read_report(path)?,
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
                    anyhow::bail!(
                        "the store {} has no scan before scan {new_id} to compare with",
                        args.store.display()
                    );
                };
                store.snapshot(base_id)?
            }
        };
        let changes = bulkhead::history::compare(&base, &new);
        Ok(match args.format {
            DiffFormat::Text => changes::text(&changes),
            DiffFormat::Json => changes::json(&changes),
            DiffFormat::Html => changes::html(&changes)?,
        })
    })();
    match result {
        Ok(text) => match &args.output {
            Some(path) => match bulkhead::report::write_atomically(path, text.as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fatal(&anyhow::Error::new(err).context(format!("writing {}", path.display()))),
            },
            None => print_bytes(text.as_bytes()),
        },
        Err(err) => fatal(&err),
    }
}

/// `bulkhead history list|prune`.
fn history(command: &HistoryCommand) -> ExitCode {
    let result = (|| -> anyhow::Result<()> {
        match command {
            HistoryCommand::List { store, format } => {
                let scans = Store::open_existing(store)?.list()?;
                match format {
                    ListFormat::Json => {
                        println!("{}", serde_json::to_string_pretty(&scans).expect("plain values serialise"));
                    }
                    ListFormat::Text | ListFormat::Markdown => {
                        println!(
                            "{:>6}  {:27}  {:>8}  {:>6}  {:>6}  {:>6}  {:>6}",
                            "scan", "started", "accounts", "checks", "PASS", "FAIL", "ERROR"
                        );
                        for scan in scans {
                            println!(
                                "{:>6}  {:27}  {:>8}  {:>6}  {:>6}  {:>6}  {:>6}",
                                scan.id, scan.started_at, scan.accounts, scan.checks, scan.pass, scan.fail, scan.error
                            );
                        }
                    }
                }
            }
            HistoryCommand::Prune { store, keep, older_than } => {
                let prune = match (keep, older_than) {
                    (Some(keep), _) => Prune::KeepNewest(*keep),
                    (None, Some(days)) => Prune::OlderThanDays(*days),
                    (None, None) => unreachable!("clap requires --keep or --older-than"),
                };
                let removed = Store::open_existing(store)?.prune(prune, jiff::Timestamp::now())?;
                eprintln!("bulkhead: removed {removed} scan(s) from {}", store.display());
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fatal(&err),
    }
}

fn fatal(err: &anyhow::Error) -> ExitCode {
    eprint!("{}", render(err, &Setting::default()));
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
    if let Some(id) = &args.compliance {
        return list_controls(id, args.format);
    }
    let entries: Vec<_> = CHECKS.iter().map(|check| &catalog[check.id]).collect();
    match args.format {
        ListFormat::Markdown => match docs::markdown() {
            Ok(text) => print!("{text}"),
            Err(err) => return fatal(&err.into()),
        },
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

fn man(args: &ManArgs) -> ExitCode {
    if let Some(dir) = &args.output_dir {
        return match manual::write_man_pages(dir) {
            Ok(written) => {
                for path in written {
                    println!("{}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(err) => {
                fatal(&anyhow::Error::new(err).context(format!("writing the man pages into {}", dir.display())))
            }
        };
    }
    let mut page = Vec::new();
    if let Err(err) = manual::man_page(args.subcommand.as_deref(), &mut page) {
        eprintln!("bulkhead: error: {err}");
        return ExitCode::from(2);
    }
    print_bytes(&page)
}

/// Prints generated text; a reader that stops early (`| head`) is no error.
fn print_bytes(bytes: &[u8]) -> ExitCode {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => fatal(&anyhow::Error::new(err).context("writing to stdout")),
    }
}

fn list_frameworks() -> ExitCode {
    let frameworks = match frameworks() {
        Ok(frameworks) => frameworks,
        Err(err) => return fatal(&err.into()),
    };
    let width = frameworks.iter().map(|(framework, _)| framework.id.len()).max().unwrap_or(0);
    for (framework, _) in frameworks {
        println!(
            "{:width$}  {} {} ({} controls mapped)",
            framework.id,
            framework.name,
            framework.version,
            framework.controls.len()
        );
    }
    ExitCode::SUCCESS
}

/// `bulkhead checks --compliance ID`: control -> checks.
fn list_controls(id: &str, format: ListFormat) -> ExitCode {
    let frameworks = match frameworks() {
        Ok(frameworks) => frameworks,
        Err(err) => return fatal(&err.into()),
    };
    let Some((framework, _)) = frameworks.iter().find(|(framework, _)| framework.id == id) else {
        let valid: Vec<&str> = frameworks.iter().map(|(framework, _)| framework.id.as_str()).collect();
        eprintln!("bulkhead: error: unknown compliance framework {id:?} (valid: {})", valid.join(", "));
        return ExitCode::from(2);
    };
    match format {
        ListFormat::Json => {
            let controls: Vec<serde_json::Value> = framework
                .controls
                .iter()
                .map(|control| serde_json::json!({"id": control.id, "title": control.title, "checks": control.checks}))
                .collect();
            let value = serde_json::json!({
                "id": framework.id, "name": framework.name, "version": framework.version, "controls": controls,
            });
            println!("{}", serde_json::to_string_pretty(&value).expect("plain JSON values serialise"));
        }
        ListFormat::Text | ListFormat::Markdown => {
            println!("{} {} ({})", framework.name, framework.version, framework.id);
            let mut controls: Vec<_> = framework.controls.iter().collect();
            controls.sort_by_key(|control| control_order(&control.id));
            for control in controls {
                println!("\n{}  {}", control.id, control.title);
                for check in &control.checks {
                    println!("    {check}");
                }
            }
        }
    }
    ExitCode::SUCCESS
}

/// `5.10` after `5.9`, `EC2.19` after `EC2.2`: numeric parts compare as numbers.
fn control_order(id: &str) -> Vec<(u32, String)> {
    id.split('.').map(|part| (part.parse().unwrap_or(u32::MAX), part.to_owned())).collect()
}
