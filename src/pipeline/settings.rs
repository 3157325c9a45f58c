//! What the command line asked of the stage after collection, as plain
//! values (the command line's own types stay in `crate::cli`).

use std::path::PathBuf;

use crate::files::{LockError, OutputLock};
use crate::history::ScanRef;
use crate::outcome::Gate;
use crate::report::Format;
use crate::severity::Severity;
use crate::usage::UsageError;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `--config`: thresholds and trust lists.
    pub config: Option<PathBuf>,
    /// `--mutelist`: accepted risk.
    pub mutelist: Option<PathBuf>,
    pub output: Output,
    /// `--fail-on` and `--allow-errors`.
    pub gate: Gate,
    /// `--fail-on-new`: only FAILs the baseline did not have fail the scan,
    /// at or above this severity.
    pub fail_on_new: Option<Severity>,
    /// `--store`; `None` for the default, `bulkhead.db` in the output folder.
    pub store: Option<PathBuf>,
    /// `--no-store`: record nothing, compare only with `--baseline`.
    pub no_store: bool,
    /// `--baseline`: the scan to compare with; the store's latest without it.
    pub baseline: Option<ScanRef>,
    /// `--quiet`: no summary on the terminal.
    pub quiet: bool,
    /// `--stats`: the table of AWS calls on the terminal.
    pub stats_table: bool,
}

/// Where the reports go.
#[derive(Debug, Clone)]
pub struct Output {
    pub dir: PathBuf,
    /// File names are `NAME.<extension>`.
    pub name: String,
    pub formats: Vec<Format>,
}

impl Output {
    /// Takes the output set's lock for as long as the value lives (and
    /// clears what a killed run left there): two runs writing one set at
    /// once would mix their files. A folder that is a file is a usage error.
    pub fn lock(&self) -> anyhow::Result<OutputLock> {
        OutputLock::acquire(&self.dir, &self.name).map_err(|err| match err {
            LockError::NotAFolder(_) => UsageError::new(err.to_string()).into(),
            err => anyhow::Error::new(err),
        })
    }
}

impl Settings {
    /// The gate the findings are judged against: `--fail-on-new`'s severity
    /// when it is given.
    pub fn effective_gate(&self) -> Gate {
        Gate { fail_on: self.fail_on_new.unwrap_or(self.gate.fail_on), allow_errors: self.gate.allow_errors }
    }

    /// The store's path, asked for or the default.
    pub fn store_path(&self) -> PathBuf {
        self.store.clone().unwrap_or_else(|| self.output.dir.join("bulkhead.db"))
    }
}
