//! The report model: findings joined with their check metadata, and what
//! the scan covered. Built once, after filtering; every output reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::aws::ledger::{CallStats, OperationStats};
use crate::aws::{CollectError, ErrorKind};
use crate::checks::Finding;
use crate::checks::metadata::{CatalogEntry, ComplianceRef, Framework};
pub use crate::mutelist::{ExpiredEntry, MutelistSummary};
use crate::severity::{Severity, Status};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: Tool,
    pub scan: ScanSummary,
    pub findings: Vec<ReportFinding>,
    /// The metadata of every check the scan ran, sorted by id, so renderers
    /// can show risk and remediation without importing checks.
    #[serde(default)]
    pub checks: Vec<CheckInfo>,
    /// The compliance frameworks, each control with the checks that assess it.
    #[serde(default)]
    pub frameworks: Vec<FrameworkInfo>,
}

/// One check's metadata as the reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInfo {
    pub id: String,
    pub service: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    pub description: String,
    pub risk: String,
    /// application, host, network or platform.
    pub shared_responsibility: String,
    pub references: Vec<String>,
    pub remediation: RemediationInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemediationInfo {
    pub text: String,
    pub cli: String,
    pub terraform: String,
}

impl CheckInfo {
    pub fn new(check: &CatalogEntry) -> CheckInfo {
        let metadata = &check.metadata;
        let area = serde_json::to_value(metadata.shared_responsibility)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default();
        CheckInfo {
            id: check.id.clone(),
            service: check.service.clone(),
            title: metadata.title.clone(),
            severity: metadata.severity,
            resource_type: metadata.resource_type.clone(),
            description: metadata.description.clone(),
            risk: metadata.risk.clone(),
            shared_responsibility: area,
            references: metadata.references.clone(),
            remediation: RemediationInfo {
                text: metadata.remediation.text.trim().to_owned(),
                cli: metadata.remediation.cli.trim().to_owned(),
                terraform: metadata.remediation.terraform.trim().to_owned(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub controls: Vec<ControlInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlInfo {
    pub id: String,
    pub title: String,
    pub checks: Vec<String>,
}

impl FrameworkInfo {
    pub fn new(framework: &Framework) -> FrameworkInfo {
        FrameworkInfo {
            id: framework.id.clone(),
            name: framework.name.clone(),
            version: framework.version.clone(),
            controls: framework
                .controls
                .iter()
                .map(|control| ControlInfo {
                    id: control.id.clone(),
                    title: control.title.clone(),
                    checks: control.checks.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Tool {
        Tool { name: env!("CARGO_PKG_NAME").to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub started_at: String,
    pub finished_at: String,
    /// The identity that ran the scan, from `sts:GetCallerIdentity`.
    pub principal_arn: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub checks: Vec<String>,
    pub errors: Vec<ScanError>,
    /// The mutelist in force, if any, and its expired entries.
    pub mutelist: Option<MutelistSummary>,
    /// The AWS calls the scan made.
    #[serde(default)]
    pub stats: CallStats,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanError {
    pub account_id: String,
    pub region: String,
    pub service: String,
    pub operation: String,
    pub kind: String,
    pub message: String,
}

impl ScanError {
    pub fn from_collect(account_id: &str, err: &CollectError) -> ScanError {
        ScanError {
            account_id: account_id.to_owned(),
            region: err.region.clone(),
            service: err.service.to_string(),
            operation: err.operation.clone(),
            kind: kind_name(err.kind).to_owned(),
            message: err.message.clone(),
        }
    }
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::AccessDenied => "access_denied",
        ErrorKind::Throttled => "throttled",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Unreachable => "unreachable",
        ErrorKind::NotFound => "not_found",
        ErrorKind::ServiceError => "service_error",
        ErrorKind::MalformedResponse => "malformed_response",
        ErrorKind::Other => "other",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub check_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub muted: bool,
    /// Why the finding is muted: the mutelist entry's `Reason` (or Prowler's
    /// `Description`); `null` when not muted.
    pub mute_reason: Option<String>,
    pub account_id: String,
    pub region: String,
    pub service: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: String,
    pub message: String,
    /// `framework id -> control ids` this finding counts towards.
    pub compliance: BTreeMap<String, Vec<String>>,
    /// The resource's name as AWS reports it (empty when it has none).
    #[serde(default)]
    pub resource_name: String,
    /// The resource's tags, as AWS reports them.
    #[serde(default)]
    pub resource_tags: BTreeMap<String, String>,
    /// Free text AWS holds about the resource (a security group's description).
    #[serde(default)]
    pub resource_details: String,
}

impl ReportFinding {
    pub fn new(finding: Finding, check: &CatalogEntry) -> ReportFinding {
        ReportFinding {
            check_id: finding.check_id,
            title: check.metadata.title.clone(),
            severity: check.metadata.severity,
            status: finding.status,
            muted: false,
            mute_reason: None,
            account_id: finding.account_id,
            region: finding.region,
            service: check.service.clone(),
            resource_type: check.metadata.resource_type.clone(),
            resource_id: finding.resource_id,
            resource_arn: finding.resource_arn,
            message: finding.message,
            compliance: compliance_by_framework(&check.compliance),
            resource_name: String::new(),
            resource_tags: BTreeMap::new(),
            resource_details: String::new(),
        }
    }
}

fn compliance_by_framework(refs: &[ComplianceRef]) -> BTreeMap<String, Vec<String>> {
    let mut by_framework: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for reference in refs {
        by_framework.entry(reference.framework.clone()).or_default().push(reference.control.clone());
    }
    by_framework
}
