//! One module per subcommand of the binary. Each takes its parsed
//! arguments and returns what `main` turns into an exit code.

pub mod accounts;
pub mod checks;
pub mod completions;
pub mod diff;
pub mod evaluate;
pub mod frameworks;
pub mod history;
pub mod image;
pub mod interrupt;
pub mod man;
pub mod merge;
pub mod report;
pub mod scan;

use std::process::ExitCode;

use crate::fatal::{Setting, render};

/// Prints an error the way every command does and returns exit 1.
pub fn fatal(err: &anyhow::Error) -> ExitCode {
    eprint!("{}", render(err, &Setting::default()));
    ExitCode::from(1)
}

/// Whether writing failed because the reader went away (`| head`): no
/// error for a command that prints, wherever in the chain the cause sits
/// (a serialiser wraps it).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
        let json = cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind);
        io.or(json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints generated text; a reader that stops early (`| head`) is no error.
pub fn print_bytes(bytes: &[u8]) -> ExitCode {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => fatal(&anyhow::Error::new(err).context("writing to stdout")),
    }
}
