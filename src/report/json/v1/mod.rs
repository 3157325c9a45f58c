//! Schema v1 of the JSON report, frozen: fields may be added, none renamed,
//! removed or retyped without a new `schema_version`. These structs exist so
//! that the report model and everything behind it can change without
//! changing what users parse. They are the one seam between the file and
//! the model, both ways: each converts `From` the model to be written, and
//! into the model when [`read`] streams a report back.
//!
//! Resource identity: `resource_id` and `resource_arn` are the same for a
//! resource whatever its status. A finding about the account as a whole in a
//! region (CloudTrail coverage of the region, the region's private ECR
//! registry, a listing that failed there) has the account's ARN
//! `arn:PARTITION:iam::ACCOUNT:root` as `resource_arn`, and the region (or,
//! for a registry, the account id) as `resource_id`.

mod catalog;
mod finding;
mod read;
mod scan;
mod vulnerabilities;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::model;
use catalog::{Check, Framework};
use finding::{Finding, Findings};
use scan::Scan;
use vulnerabilities::VulnerableImage;

pub use read::{Exactness, ReadError, read, read_header};

pub const SCHEMA_VERSION: u32 = 1;

/// Text borrowed from the model when writing, owned when reading.
type Text<'a> = Cow<'a, str>;
type Texts<'a> = Cow<'a, [String]>;

fn text(text: &str) -> Text<'_> {
    Cow::Borrowed(text)
}

fn optional(text: &Option<String>) -> Option<Text<'_>> {
    text.as_deref().map(Cow::Borrowed)
}

fn owned(text: Option<Text<'_>>) -> Option<String> {
    text.map(Cow::into_owned)
}

/// The whole file as it is written. It is read back field by field
/// (`read`), so that its findings stream rather than sit in memory.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    scan: Scan<'a>,
    findings: Findings<'a>,
    checks: Vec<Check<'a>>,
    frameworks: Vec<Framework<'a>>,
    /// Added in 0.3 (additive): the images in use with scan findings, most
    /// urgent first; absent when the scan did not read scan findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerabilities: Option<Vec<VulnerableImage<'a>>>,
}

impl<'a> From<&'a model::Report> for JsonReport<'a> {
    fn from(report: &'a model::Report) -> Self {
        JsonReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::from(&report.tool),
            scan: Scan::from(&report.scan),
            findings: Findings(&report.findings),
            checks: report.checks.iter().map(Check::from).collect(),
            frameworks: report.frameworks.iter().map(Framework::from).collect(),
            vulnerabilities: report
                .vulnerabilities
                .as_ref()
                .map(|images| images.iter().map(VulnerableImage::from).collect()),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Tool<'a> {
    name: Text<'a>,
    version: Text<'a>,
}

impl<'a> From<&'a model::Tool> for Tool<'a> {
    fn from(tool: &'a model::Tool) -> Self {
        Tool { name: text(&tool.name), version: text(&tool.version) }
    }
}

impl From<Tool<'_>> for model::Tool {
    fn from(tool: Tool<'_>) -> Self {
        model::Tool { name: tool.name.into_owned(), version: tool.version.into_owned() }
    }
}
