//! The finished report model, and its renderers. Renderers take a
//! [`Report`] only: they never see checks or inventory.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod model;
pub mod ocsf;
pub mod sarif;
mod write;

pub use model::{
    CheckInfo, ControlInfo, FrameworkInfo, RemediationInfo, Report, ReportFinding, ScanError, ScanSummary, Tool,
};
pub use write::write_atomically;

/// The output formats, as `--output-formats` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Json,
    Html,
    Ocsf,
    Junit,
    Sarif,
    Csv,
}

impl Format {
    /// What follows `--output-name` in the file name.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Html => "html",
            Format::Ocsf => "ocsf.json",
            Format::Junit => "junit.xml",
            Format::Sarif => "sarif",
            Format::Csv => "csv",
        }
    }

    pub fn render(self, report: &Report) -> anyhow::Result<Vec<u8>> {
        Ok(match self {
            Format::Json => json::render(report).into_bytes(),
            Format::Html => html::render(report)?.into_bytes(),
            Format::Ocsf => ocsf::render(report).into_bytes(),
            Format::Junit => junit::render(report)?,
            Format::Sarif => sarif::render(report)?.into_bytes(),
            Format::Csv => csv::render(report)?,
        })
    }
}

impl Report {
    /// A check's metadata, when the report carries it.
    pub fn check(&self, id: &str) -> Option<&CheckInfo> {
        self.checks.iter().find(|check| check.id == id)
    }
}
