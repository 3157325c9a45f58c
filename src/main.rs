use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use bulkhead::cli::{Cli, Command};
use bulkhead::commands::interrupt::Interrupted;
use bulkhead::commands::merge::Refusal;
use bulkhead::commands::{self, fatal, print_bytes};
use bulkhead::fatal::{Setting, render};
use bulkhead::outcome::Outcome;
use bulkhead::usage::UsageError;

/// Exit codes: 0 passed, 1 fatal error, 2 usage error, 3 failing findings,
/// 4 incomplete scan (collection errors).
fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match cli.command {
        Command::Checks(args) => commands::checks::run(&args),
        Command::Frameworks => commands::frameworks::run(),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Man(args) => commands::man::run(&args),
        Command::Scan(args) => {
            let setting = aws_setting(args.endpoint_url.as_deref(), cli.verbose);
            match block_on(commands::scan::run(&args)) {
                Ok(result) => exit(result, &setting),
                Err(code) => code,
            }
        }
        Command::Accounts(args) => {
            let setting = aws_setting(args.endpoint_url.as_deref(), cli.verbose);
            match block_on(commands::accounts::run(&args)) {
                Ok(Ok(text)) => print_bytes(text.as_bytes()),
                Ok(Err(err)) => {
                    eprint!("{}", render(&err, &setting));
                    ExitCode::from(if err.downcast_ref::<UsageError>().is_some() { 2 } else { 1 })
                }
                Err(code) => code,
            }
        }
        Command::Merge(args) => {
            let setting = aws_setting(args.endpoint_url.as_deref(), cli.verbose);
            match block_on(commands::merge::run(&args)) {
                Ok(result) => exit(result, &setting),
                Err(code) => code,
            }
        }
        Command::Image(args) => {
            let setting = aws_setting(args.endpoint_url.as_deref(), cli.verbose);
            match block_on(commands::image::run(&args)) {
                Ok(result) => exit(result, &setting),
                Err(code) => code,
            }
        }
        Command::Evaluate(args) => {
            exit(commands::evaluate::run(&args), &Setting { endpoint_url: None, verbose: cli.verbose > 0 })
        }
        Command::Diff(args) => commands::diff::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::History(command) => commands::history::run(&command),
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
        Err(err) if err.downcast_ref::<Interrupted>().is_some() => {
            let interrupted = err.downcast_ref::<Interrupted>().expect("matched above");
            eprintln!("bulkhead: {interrupted}");
            ExitCode::from(interrupted.signal.exit_code())
        }
        Err(err) => {
            eprint!("{}", render(&err, setting));
            let usage = err.downcast_ref::<UsageError>().is_some() || err.downcast_ref::<Refusal>().is_some();
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
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
    // Through the redaction of credentials: at trace level the SDK logs whole responses.
    let writer = bulkhead::aws::redact::RedactedStderr;
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(writer).init();
}
