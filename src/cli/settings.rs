//! The command line's values as the stages take them: the output formats,
//! the check selection, and the settings of the stage after collection.

use clap::ValueEnum;

use super::{EvaluationArgs, SelectionArgs};
use crate::outcome::Gate;
use crate::pipeline::{Output, Settings};
use crate::plan::CheckSelection;
use crate::report;

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
    pub fn settings(&self, stats_table: bool) -> Settings {
        Settings {
            config: self.config.clone(),
            mutelist: self.mutelist.clone(),
            output: Output {
                dir: self.output_dir.clone(),
                name: self.output_name.clone(),
                formats: self.output_formats.clone(),
            },
            gate: Gate { fail_on: self.fail_on, allow_errors: self.allow_errors },
            fail_on_new: self.fail_on_new,
            store: self.store.clone(),
            no_store: self.no_store,
            baseline: self.baseline.clone(),
            quiet: self.quiet,
            stats_table,
        }
    }
}
