//! A past scan read from a bulkhead JSON report (schema v1), for `diff` and
//! `--baseline` without a store. Only the fields history needs are read,
//! and unknown fields are allowed: v1 grows by adding fields.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::record::{FindingKey, FindingRecord, ScanHeader, Snapshot};
use crate::severity::{Severity, Status};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read report {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a bulkhead JSON report: {reason}")]
    NotAReport { path: PathBuf, reason: String },
    #[error("{path} has report schema version {found}; this bulkhead reads version 1")]
    UnknownSchema { path: PathBuf, found: u64 },
}

/// The fields history reads; `schema_version` is checked before.
#[derive(Deserialize)]
struct Report {
    tool: Tool,
    scan: Scan,
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
struct Tool {
    version: String,
}

#[derive(Deserialize)]
struct Scan {
    started_at: String,
    finished_at: String,
    principal_arn: String,
    accounts: Vec<String>,
    regions: Vec<String>,
    checks: Vec<String>,
}

#[derive(Deserialize)]
struct Finding {
    check_id: String,
    severity: Severity,
    status: Status,
    muted: bool,
    account_id: String,
    region: String,
    resource_id: String,
    resource_arn: String,
    message: String,
    #[serde(default)]
    failing_since: Option<String>,
}

pub fn read_report(path: &Path) -> Result<Snapshot, SnapshotError> {
    let text = std::fs::read(path).map_err(|source| SnapshotError::Read { path: path.to_owned(), source })?;
    let version: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|err| SnapshotError::NotAReport { path: path.to_owned(), reason: err.to_string() })?;
    match version.get("schema_version").and_then(serde_json::Value::as_u64) {
        Some(1) => {}
        Some(found) => return Err(SnapshotError::UnknownSchema { path: path.to_owned(), found }),
        None => {
            return Err(SnapshotError::NotAReport {
                path: path.to_owned(),
                reason: "it has no `schema_version`".to_owned(),
            });
        }
    }
    let report: Report = serde_json::from_value(version)
        .map_err(|err| SnapshotError::NotAReport { path: path.to_owned(), reason: err.to_string() })?;
    Ok(Snapshot {
        header: ScanHeader {
            id: None,
            label: path.display().to_string(),
            started_at: report.scan.started_at,
            finished_at: report.scan.finished_at,
            principal_arn: report.scan.principal_arn,
            tool_version: report.tool.version,
            accounts: report.scan.accounts,
            regions: report.scan.regions,
            checks: report.scan.checks,
        },
        findings: report
            .findings
            .into_iter()
            .map(|finding| FindingRecord {
                key: FindingKey {
                    account_id: finding.account_id,
                    region: finding.region,
                    check_id: finding.check_id,
                    resource_id: finding.resource_id,
                    resource_arn: finding.resource_arn,
                },
                status: finding.status,
                severity: finding.severity,
                muted: finding.muted,
                message: finding.message,
                failing_since: finding.failing_since,
            })
            .collect(),
    })
}
