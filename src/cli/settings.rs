//! The command line's values as the stages take them: the output formats,
//! the check selection, and the settings of the stage after collection.

use clap::ValueEnum;

use super::{EvaluationArgs, SelectionArgs};
use super::{MergeArgs, SinkArgs};
use crate::outcome::Gate;
use crate::pipeline::{Output, Settings, Sinks};
use crate::plan::CheckSelection;
use crate::report;
use crate::sinks::{Place, S3Url};

/// `--output-formats` values: each format by its lower-case name.
impl ValueEnum for report::Format {
    fn value_variants<'a>() -> &'a [Self] {
        &report::Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let name = match self {
            report::Format::Json => "json",
            report::Format::Html => "html",
            report::Format::Ocsf => "ocsf",
            report::Format::Junit => "junit",
            report::Format::Sarif => "sarif",
            report::Format::Csv => "csv",
            report::Format::Asff => "asff",
            report::Format::Compliance => "compliance",
        };
        Some(clap::builder::PossibleValue::new(name))
    }
}

impl SelectionArgs {
    /// Which checks to run, as the planner takes it.
    pub fn selection(&self) -> CheckSelection {
        CheckSelection {
            include: self.checks.clone(),
            exclude: self.exclude_checks.clone(),
            services: self.services.clone(),
            severities: self.severity.clone(),
            compliance: self.compliance.clone(),
        }
    }
}

impl EvaluationArgs {
    /// What the stage after collection does, as plain settings;
    /// `stats_table`: `--stats`, which only `scan` has.
    /// An s3:// --output-dir writes into --local-dir first; an s3:// --store
    /// is copied to `from-s3.NAME` there (never over a local store).
    pub fn settings(&self, stats_table: bool) -> Settings {
        let (dir, upload, store, remote_store) = places(&self.output_dir, &self.local_dir, self.store.as_ref());
        Settings {
            config: self.config.clone(),
            mutelist: self.mutelist.clone(),
            output: Output { dir, name: self.output_name.clone(), formats: self.output_formats.clone(), upload },
            gate: Gate { fail_on: self.fail_on, allow_errors: self.allow_errors },
            fail_on_new: self.fail_on_new,
            store,
            remote_store,
            sinks: Sinks::default(),
            no_store: self.no_store,
            baseline: self.baseline.clone(),
            quiet: self.quiet,
            stats_table,
        }
    }
}

impl SinkArgs {
    pub fn sinks(&self) -> Sinks {
        Sinks { notify: self.notify.clone(), notify_always: self.notify_always, security_hub: self.security_hub }
    }
}

/// The local folder of the reports and the prefix they are uploaded under;
/// the local store and where on S3 it is kept. An s3:// store is copied to
/// `from-s3.NAME` in the local folder, never over a local store.
fn places(
    output_dir: &Place,
    local_dir: &std::path::Path,
    store: Option<&Place>,
) -> (std::path::PathBuf, Option<S3Url>, Option<std::path::PathBuf>, Option<S3Url>) {
    let (dir, upload) = match output_dir {
        Place::Local(dir) => (dir.clone(), None),
        Place::S3(url) => (local_dir.to_owned(), Some(url.clone())),
    };
    let (store, remote_store) = match store {
        None => (None, None),
        Some(Place::Local(path)) => (Some(path.clone()), None),
        Some(Place::S3(url)) => (Some(dir.join(format!("from-s3.{}", url.file_name()))), Some(url.clone())),
    };
    (dir, upload, store, remote_store)
}

impl MergeArgs {
    /// What the stage after collection does with the merged findings.
    pub fn settings(&self) -> Settings {
        let (dir, upload, store, remote_store) = places(&self.output_dir, &self.local_dir, self.store.as_ref());
        Settings {
            config: None,
            mutelist: None,
            output: Output { dir, name: self.output_name.clone(), formats: self.output_formats.clone(), upload },
            gate: Gate { fail_on: self.fail_on, allow_errors: self.allow_errors },
            fail_on_new: self.fail_on_new,
            store,
            remote_store,
            sinks: self.sinks.sinks(),
            no_store: false,
            baseline: None,
            quiet: self.quiet,
            stats_table: false,
        }
    }
}
