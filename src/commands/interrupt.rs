//! A run stopped from outside: SIGINT (Ctrl-C) or SIGTERM (what AWS Batch,
//! ECS and Kubernetes send before they kill a job). The run is dropped, the
//! scan it was recording is ended `interrupted` (never a baseline), and the
//! process exits 128 + the signal's number, as a shell reports it.

use std::fmt;
use std::path::PathBuf;

use tokio::signal::unix::{SignalKind, signal};

use crate::history::StoreError;
use crate::pipeline::RunRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 128 + 2,
            Signal::Terminate => 128 + 15,
        }
    }
}

/// Waits for SIGINT or SIGTERM; registering for them is what keeps either
/// from killing the process outright.
pub async fn stopped() -> std::io::Result<Signal> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(tokio::select! {
        _ = interrupt.recv() => Signal::Interrupt,
        _ = terminate.recv() => Signal::Terminate,
    })
}

/// The error of a run a signal stopped; `main` prints it and exits with
/// the signal's code.
#[derive(Debug)]
pub struct Interrupted {
    pub signal: Signal,
    /// The store the scan was ended in, if it had begun recording.
    recorded: Option<Result<PathBuf, StoreError>>,
}

impl Interrupted {
    /// Ends the run's record, if it has one. Call it once the run is dropped.
    pub fn record(signal: Signal, run: &RunRecord) -> Interrupted {
        let recorded = run.interrupted(&format!("interrupted by {}", signal.name()));
        Interrupted { signal, recorded }
    }
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted by {}: the scan stopped before its reports were all written", self.signal.name())?;
        match &self.recorded {
            Some(Ok(path)) => write!(f, "; it is recorded as interrupted in the store {}", path.display()),
            Some(Err(err)) => write!(f, "; it could not be recorded as interrupted: {err}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Interrupted {}
