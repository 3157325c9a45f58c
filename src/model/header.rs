//! A report without its findings: what a reader of a report file holds
//! while the findings stream past, and what `merge` joins shards by.

use super::{CheckInfo, Findings, FrameworkInfo, Report, ScanSummary, Tally, Tool, VulnerableImage};

/// Everything of a [`Report`] but its findings (and its history, which a
/// report file does not carry).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportHeader {
    pub tool: Tool,
    pub scan: ScanSummary,
    pub checks: Vec<CheckInfo>,
    pub frameworks: Vec<FrameworkInfo>,
    pub vulnerabilities: Option<Vec<VulnerableImage>>,
}

impl ReportHeader {
    /// The whole report: this header, its findings and their tally.
    pub fn into_report(self, findings: Findings, tally: Tally) -> Report {
        Report {
            tool: self.tool,
            scan: self.scan,
            findings,
            checks: self.checks,
            frameworks: self.frameworks,
            history: None,
            vulnerabilities: self.vulnerabilities,
            tally,
        }
    }
}
