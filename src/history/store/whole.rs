//! What the store keeps of a scan to write its reports again (`bulkhead
//! report`): the report without its findings, kept as the scan completes,
//! and each finding's fields beyond what comparing scans needs, kept as it
//! is recorded. Scans recorded before the store kept them (schema 3) have
//! neither: their reports cannot be written again, and say so.

use std::collections::BTreeMap;
use std::str::FromStr;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, failed, parse_status};
use crate::model::{CheckInfo, FrameworkInfo, History, Report, ReportFinding, ScanSummary, Tool, VulnerableImage};
use crate::severity::Severity;

/// A report without its findings (and its tally, which is counted again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptReport {
    pub tool: Tool,
    pub scan: ScanSummary,
    pub checks: Vec<CheckInfo>,
    pub frameworks: Vec<FrameworkInfo>,
    pub vulnerabilities: Option<Vec<VulnerableImage>>,
    pub history: Option<History>,
}

impl KeptReport {
    /// What the store keeps of `report` (JSON), serialised from it in place.
    pub fn json_of(report: &Report) -> String {
        #[derive(Serialize)]
        struct Kept<'a> {
            tool: &'a Tool,
            scan: &'a ScanSummary,
            checks: &'a [CheckInfo],
            frameworks: &'a [FrameworkInfo],
            vulnerabilities: &'a Option<Vec<VulnerableImage>>,
            history: &'a Option<History>,
        }
        serde_json::to_string(&Kept {
            tool: &report.tool,
            scan: &report.scan,
            checks: &report.checks,
            frameworks: &report.frameworks,
            vulnerabilities: &report.vulnerabilities,
            history: &report.history,
        })
        .expect("a report serialises")
    }
}

/// A finding's fields that the `findings` table has no column for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingDetail {
    pub title: String,
    pub mute_reason: Option<String>,
    pub service: String,
    pub resource_type: String,
    pub compliance: BTreeMap<String, Vec<String>>,
    pub resource_name: String,
    pub resource_tags: BTreeMap<String, String>,
    pub resource_details: String,
}

impl FindingDetail {
    /// The detail of `finding`, as the store keeps it (JSON).
    pub fn json_of(finding: &ReportFinding) -> String {
        let detail = FindingDetail {
            title: finding.title.clone(),
            mute_reason: finding.mute_reason.clone(),
            service: finding.service.clone(),
            resource_type: finding.resource_type.clone(),
            compliance: finding.compliance.clone(),
            resource_name: finding.resource_name.clone(),
            resource_tags: finding.resource_tags.clone(),
            resource_details: finding.resource_details.clone(),
        };
        serde_json::to_string(&detail).expect("a finding's detail serialises")
    }
}

/// Why a stored scan's reports cannot be written again.
#[derive(Debug, thiserror::Error)]
pub enum KeptError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "scan {id} in {path} is {state}{problem}: only a complete scan has reports to write again (`bulkhead history list` shows the scans)"
    )]
    NotComplete { id: i64, path: String, state: String, problem: String },
    #[error(
        "scan {id} in {path} was recorded by bulkhead {version} before the store kept whole reports: its findings can still be compared (`bulkhead diff`), but its reports cannot be written again exactly, so none is written"
    )]
    NotKept { id: i64, path: String, version: String },
}

impl Store {
    /// Keeps the report of the scan `scan_id` (without its findings), as it completes.
    pub(super) fn keep_report(&self, scan_id: i64, report: &str) -> Result<(), StoreError> {
        self.connection
            .execute("UPDATE scans SET report = ?2 WHERE id = ?1", params![scan_id, report])
            .map_err(failed(&self.path, "keeping the scan's report"))?;
        Ok(())
    }

    /// The report kept of scan `id` (the newest complete one with `None`).
    pub fn kept_report(&self, id: Option<i64>) -> Result<(i64, KeptReport), KeptError> {
        let id = match id {
            None => self.resolve(None)?,
            Some(id) => id,
        };
        let row: Option<(String, Option<String>, String, Option<String>)> = self
            .connection
            .query_row("SELECT state, problem, tool_version, report FROM scans WHERE id = ?1", params![id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()
            .map_err(self.sqlite("reading a scan"))?;
        let path = self.path.display().to_string();
        let Some((state, problem, version, report)) = row else {
            return Err(StoreError::NoScan { path: self.path.clone(), what: format!("with id {id}") }.into());
        };
        if state != "complete" {
            let problem = problem.map(|problem| format!(" ({problem})")).unwrap_or_default();
            return Err(KeptError::NotComplete { id, path, state, problem });
        }
        let Some(report) = report else {
            return Err(KeptError::NotKept { id, path, version });
        };
        let report = serde_json::from_str(&report).map_err(|err| StoreError::NotAStore {
            path: self.path.clone(),
            reason: format!("scan {id} has an unreadable report: {err}"),
        })?;
        Ok((id, report))
    }

    /// Calls `visit` with every finding of scan `id` as its report had it,
    /// in report order (by account, then as the scan recorded them), read
    /// one at a time. A finding kept without its detail fails with
    /// [`KeptError::NotKept`].
    pub fn each_kept_finding(
        &self,
        id: i64,
        version: &str,
        visit: &mut dyn FnMut(ReportFinding) -> anyhow::Result<()>,
    ) -> Result<(), anyhow::Error> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT account_id, region, check_id, resource_id, resource_arn, status, severity, muted, message,
                        failing_since, detail FROM findings WHERE scan_id = ?1 ORDER BY account_id, rowid",
            )
            .map_err(self.sqlite("reading findings"))?;
        let mut rows = statement.query(params![id]).map_err(self.sqlite("reading findings"))?;
        let unreadable = |what: String| StoreError::NotAStore { path: self.path.clone(), reason: what };
        while let Some(row) = rows.next().map_err(self.sqlite("reading findings"))? {
            let get = |index: usize| row.get::<_, String>(index).map_err(self.sqlite("reading findings"));
            let Some(detail) = row.get::<_, Option<String>>(10).map_err(self.sqlite("reading findings"))? else {
                let path = self.path.display().to_string();
                return Err(KeptError::NotKept { id, path, version: version.to_owned() }.into());
            };
            let detail: FindingDetail =
                serde_json::from_str(&detail).map_err(|err| unreadable(format!("a finding's detail: {err}")))?;
            let (status, severity) = (get(5)?, get(6)?);
            visit(ReportFinding {
                check_id: get(2)?,
                title: detail.title,
                severity: Severity::from_str(&severity).map_err(unreadable)?,
                status: parse_status(&status).ok_or_else(|| unreadable(format!("a finding's status {status:?}")))?,
                muted: row.get(7).map_err(self.sqlite("reading findings"))?,
                mute_reason: detail.mute_reason,
                account_id: get(0)?,
                region: get(1)?,
                service: detail.service,
                resource_type: detail.resource_type,
                resource_id: get(3)?,
                resource_arn: get(4)?,
                message: get(8)?,
                compliance: detail.compliance,
                resource_name: detail.resource_name,
                resource_tags: detail.resource_tags,
                resource_details: detail.resource_details,
                failing_since: row.get(9).map_err(self.sqlite("reading findings"))?,
            })?;
        }
        Ok(())
    }
}
