//! What the command line asked of the stage after collection, as plain
//! values (the command line's own types stay in `crate::cli`).

use std::path::PathBuf;

use crate::files::{LockError, OutputLock};
use crate::history::ScanRef;
use crate::outcome::Gate;
use crate::report::Format;
use crate::severity::Severity;
use crate::sinks::S3Url;
use crate::sinks::sns::Topic;
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
    /// `--store`; `None` for the default, `bulkhead.db` in the output
    /// folder. For a store on S3, the local copy it is downloaded to.
    pub store: Option<PathBuf>,
    /// `--store s3://...`: where the store is downloaded from and uploaded to.
    pub remote_store: Option<S3Url>,
    pub sinks: Sinks,
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
    /// Where the reports are written (with an S3 output, before they are uploaded).
    pub dir: PathBuf,
    /// File names are `NAME.<extension>`.
    pub name: String,
    pub formats: Vec<Format>,
    /// `--output-dir s3://...`: the prefix the written reports are uploaded under.
    pub upload: Option<S3Url>,
}

/// The other sinks: `--notify`, `--notify-always`, `--security-hub`.
#[derive(Debug, Clone, Default)]
pub struct Sinks {
    pub notify: Option<Topic>,
    pub notify_always: bool,
    pub security_hub: bool,
}

impl Sinks {
    /// Whether anything besides local files is written: such a run needs
    /// AWS credentials even when it makes no other call.
    pub fn any(&self, settings: &Settings) -> bool {
        self.notify.is_some()
            || self.security_hub
            || settings.output.upload.is_some()
            || settings.remote_store.is_some()
    }
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
