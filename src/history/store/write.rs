//! Writing the store: a scan begun, its findings recorded account by
//! account, and the scan ended: complete (visible to every reader) or
//! failed or interrupted (listed, never compared with).

use std::path::Path;

use rusqlite::{Connection, params};

use super::{ABANDONED_AFTER_HOURS, Prune, Store, StoreError, failed};
use crate::history::record::{FindingRecord, ScanHeader};

/// How a scan that will never complete ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Its reports (or its record) could not be written.
    Failed,
    /// A signal stopped it.
    Interrupted,
}

impl Ended {
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Failed => "failed",
            Ended::Interrupted => "interrupted",
        }
    }
}

impl Store {
    /// Starts recording a scan and returns its id; it stays invisible until
    /// [`complete`](Store::complete). A scan never completed stays `running`:
    /// no reader sees it, and `prune` removes it after a day.
    pub fn begin(&mut self, header: &ScanHeader, selection: &serde_json::Value) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let transaction = self.connection.transaction().map_err(failed(&path, "starting a scan"))?;
        transaction
            .execute(
                "INSERT INTO scans (state, started_at, principal_arn, tool_version, regions, selection)
                 VALUES ('running', ?1, ?2, ?3, ?4, ?5)",
                params![
                    header.started_at,
                    header.principal_arn,
                    header.tool_version,
                    serde_json::to_string(&header.regions).unwrap_or_default(),
                    selection.to_string(),
                ],
            )
            .map_err(failed(&path, "starting a scan"))?;
        let id = transaction.last_insert_rowid();
        for account in &header.accounts {
            transaction
                .execute("INSERT OR IGNORE INTO scan_accounts VALUES (?1, ?2)", params![id, account])
                .map_err(failed(&path, "recording the scan's accounts"))?;
        }
        for check in &header.checks {
            transaction
                .execute("INSERT OR IGNORE INTO scan_checks VALUES (?1, ?2)", params![id, check])
                .map_err(failed(&path, "recording the scan's checks"))?;
        }
        transaction.commit().map_err(failed(&path, "starting a scan"))?;
        Ok(id)
    }

    /// Removes scans and their findings; also, after a day, the scans that
    /// died (`running`), failed or were interrupted. Returns how many went.
    pub fn prune(&mut self, prune: Prune, now: jiff::Timestamp) -> Result<usize, StoreError> {
        let abandoned_before = (now - jiff::SignedDuration::from_hours(ABANDONED_AFTER_HOURS)).to_string();
        let path = self.path.clone();
        let fail = || failed(&path, "pruning");
        let transaction = self.connection.transaction().map_err(fail())?;
        let mut removed = transaction
            .execute(
                "DELETE FROM scans WHERE state IN ('running', 'failed', 'interrupted') AND started_at < ?1",
                params![abandoned_before],
            )
            .map_err(fail())?;
        removed += match prune {
            Prune::KeepNewest(keep) => transaction
                .execute(
                    "DELETE FROM scans WHERE state = 'complete' AND id NOT IN
                     (SELECT id FROM scans WHERE state = 'complete' ORDER BY id DESC LIMIT ?1)",
                    params![keep as i64],
                )
                .map_err(fail())?,
            Prune::OlderThanDays(days) => {
                let cutoff = (now - jiff::SignedDuration::from_hours(24 * days as i64)).to_string();
                transaction
                    .execute("DELETE FROM scans WHERE state = 'complete' AND started_at < ?1", params![cutoff])
                    .map_err(fail())?
            }
        };
        transaction.commit().map_err(fail())?;
        Ok(removed)
    }
}

impl Store {
    /// Records a batch of findings (an account's, say) in one transaction.
    pub fn add(&mut self, scan_id: i64, findings: &[FindingRecord]) -> Result<(), StoreError> {
        let transaction = self.connection.transaction().map_err(failed(&self.path, "recording findings"))?;
        for finding in findings {
            insert(&transaction, &self.path, scan_id, finding, None)?;
        }
        transaction.commit().map_err(failed(&self.path, "recording findings"))
    }

    /// Begins recording findings of the scan `scan_id` a row at a time, in
    /// one transaction, so that a caller need not hold them all at once.
    /// The batch holds the store until it is committed.
    pub fn batch(self, scan_id: i64) -> Result<FindingsBatch, StoreError> {
        self.connection.execute_batch("BEGIN").map_err(failed(&self.path, "recording findings"))?;
        Ok(FindingsBatch { store: Some(self), scan_id })
    }

    /// Ends a scan that will never complete: it stays listed, with why, and
    /// nothing compares with it. Only a `running` scan can be ended.
    pub fn end(&mut self, scan_id: i64, ended: Ended, finished_at: &str, problem: &str) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.connection
            .execute(
                "UPDATE scans SET state = ?2, finished_at = ?3, problem = ?4 WHERE id = ?1 AND state = 'running'",
                params![scan_id, ended.as_str(), finished_at, problem],
            )
            .map_err(failed(&path, "ending the scan"))?;
        Ok(())
    }

    /// Makes the scan visible, with its summary. Only a `running` scan can
    /// complete: one ended failed or interrupted stays so.
    pub fn complete(&mut self, scan_id: i64, finished_at: &str, summary: &serde_json::Value) -> Result<(), StoreError> {
        self.complete_keeping(scan_id, finished_at, summary, None)
    }

    /// [`Store::complete`], keeping the scan's report (without its
    /// findings: [`super::KeptReport`], JSON) to write it again from.
    pub fn complete_keeping(
        &mut self,
        scan_id: i64,
        finished_at: &str,
        summary: &serde_json::Value,
        report: Option<&str>,
    ) -> Result<(), StoreError> {
        if let Some(report) = report {
            self.keep_report(scan_id, report)?;
        }
        let path = self.path.clone();
        let completed = self
            .connection
            .execute(
                "UPDATE scans SET state = 'complete', finished_at = ?2, summary = ?3 WHERE id = ?1 AND state = 'running'",
                params![scan_id, finished_at, summary.to_string()],
            )
            .map_err(failed(&path, "completing the scan"))?;
        if completed == 0 {
            return Err(StoreError::NoScan { path, what: format!("running with id {scan_id} to complete") });
        }
        Ok(())
    }
}

/// Findings going into the store in one transaction: none of them is
/// kept unless `commit` is called, which hands the store back; a batch
/// dropped before that rolls its findings back.
#[derive(Debug)]
pub struct FindingsBatch {
    /// `Some` until committed.
    store: Option<Store>,
    scan_id: i64,
}

impl FindingsBatch {
    fn store(&self) -> &Store {
        self.store.as_ref().expect("a batch holds its store until it is committed")
    }

    /// Records a finding, with its detail ([`super::FindingDetail`]) to
    /// write its report again from.
    pub fn add(&mut self, finding: &FindingRecord, detail: Option<&str>) -> Result<(), StoreError> {
        let store = self.store();
        insert(&store.connection, &store.path, self.scan_id, finding, detail)
    }

    pub fn commit(mut self) -> Result<Store, StoreError> {
        let store = self.store.take().expect("a batch holds its store until it is committed");
        store.connection.execute_batch("COMMIT").map_err(failed(&store.path, "recording findings"))?;
        Ok(store)
    }
}

/// One finding's row.
fn insert(
    connection: &Connection,
    path: &Path,
    scan_id: i64,
    finding: &FindingRecord,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    let fail = || failed(path, "recording findings");
    let mut insert = connection
        .prepare_cached(
            "INSERT INTO findings (scan_id, account_id, region, check_id, resource_id, resource_arn, status,
                                   severity, muted, message, failing_since, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(fail())?;
    insert
        .execute(params![
            scan_id,
            finding.key.account_id,
            finding.key.region,
            finding.key.check_id,
            finding.key.resource_id,
            finding.key.resource_arn,
            finding.status.as_str(),
            finding.severity.as_str(),
            finding.muted,
            finding.message,
            finding.failing_since,
            detail,
        ])
        .map_err(fail())?;
    Ok(())
}

impl Drop for FindingsBatch {
    fn drop(&mut self) {
        if let Some(store) = &self.store {
            // Nothing to report: the connection closes with the batch's
            // store, and SQLite rolls back what was not committed anyway.
            let _ = store.connection.execute_batch("ROLLBACK");
        }
    }
}
