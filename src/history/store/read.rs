//! Reading the store: complete scans, their findings, the states a new
//! scan's FAILs are dated from, trends and the listing.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{OptionalExtension, params};

use super::{ScanListing, Store, StoreError, parse_status};
use crate::history::record::{FindingKey, FindingRecord, PreviousState, ScanHeader, Snapshot};
use crate::model::{Trend, TrendPoint};

impl Store {
    /// The newest complete scan, or the newest one before `before`.
    pub fn latest(&self, before: Option<i64>) -> Result<Option<i64>, StoreError> {
        self.connection
            .query_row(
                "SELECT max(id) FROM scans WHERE state = 'complete' AND id < ?1",
                params![before.unwrap_or(i64::MAX)],
                |row| row.get(0),
            )
            .map_err(self.sqlite("finding the latest scan"))
    }

    /// A complete scan by id, or the newest with `None`.
    pub fn resolve(&self, id: Option<i64>) -> Result<i64, StoreError> {
        let found = match id {
            None => self.latest(None)?,
            Some(id) => self
                .connection
                .query_row("SELECT id FROM scans WHERE id = ?1 AND state = 'complete'", params![id], |row| row.get(0))
                .optional()
                .map_err(self.sqlite("finding a scan"))?,
        };
        found.ok_or_else(|| StoreError::NoScan {
            path: self.path.clone(),
            what: id.map_or("yet".to_owned(), |id| format!("with id {id}")),
        })
    }

    pub fn header(&self, id: i64) -> Result<ScanHeader, StoreError> {
        let (started_at, finished_at, principal_arn, tool_version, regions): (
            String,
            Option<String>,
            String,
            String,
            String,
        ) = self
            .connection
            .query_row(
                "SELECT started_at, finished_at, principal_arn, tool_version, regions FROM scans WHERE id = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .map_err(self.sqlite("reading a scan"))?;
        let column = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut statement = self.connection.prepare(sql).map_err(self.sqlite("reading a scan"))?;
            let rows = statement.query_map(params![id], |row| row.get(0)).map_err(self.sqlite("reading a scan"))?;
            rows.collect::<Result<_, _>>().map_err(self.sqlite("reading a scan"))
        };
        Ok(ScanHeader {
            id: Some(id),
            label: format!("scan {id}"),
            started_at,
            finished_at: finished_at.unwrap_or_default(),
            principal_arn,
            tool_version,
            accounts: column("SELECT account_id FROM scan_accounts WHERE scan_id = ?1 ORDER BY account_id")?,
            regions: serde_json::from_str(&regions).map_err(|err| StoreError::NotAStore {
                path: self.path.clone(),
                reason: format!("scan {id} has unreadable regions: {err}"),
            })?,
            checks: column("SELECT check_id FROM scan_checks WHERE scan_id = ?1 ORDER BY check_id")?,
        })
    }

    /// A complete scan by id, or the newest with `None`.
    pub fn snapshot_of(&self, id: Option<i64>) -> Result<Snapshot, StoreError> {
        self.snapshot(self.resolve(id)?)
    }

    pub fn snapshot(&self, id: i64) -> Result<Snapshot, StoreError> {
        let header = self.header(id)?;
        let findings = self.findings("WHERE f.scan_id = ?1", params![id])?;
        Ok(Snapshot { header, findings })
    }

    /// One account's findings of a scan, with the scan's whole header.
    pub fn account_snapshot(&self, header: &ScanHeader, account_id: &str) -> Result<Snapshot, StoreError> {
        let id = header.id.ok_or_else(|| StoreError::NotAStore {
            path: self.path.clone(),
            reason: "a scan read from a report has no findings in the store".to_owned(),
        })?;
        let findings = self.findings("WHERE f.scan_id = ?1 AND f.account_id = ?2", params![id, account_id])?;
        Ok(Snapshot { header: header.clone(), findings })
    }

    fn findings(&self, filter: &str, values: impl rusqlite::Params) -> Result<Vec<FindingRecord>, StoreError> {
        let sql = format!(
            "SELECT f.account_id, f.region, f.check_id, f.resource_id, f.resource_arn, f.status, f.severity,
                    f.muted, f.message, f.failing_since FROM findings f {filter}"
        );
        let mut statement = self.connection.prepare(&sql).map_err(self.sqlite("reading findings"))?;
        let rows = statement
            .query_map(values, |row| {
                Ok((
                    FindingKey {
                        account_id: row.get(0)?,
                        region: row.get(1)?,
                        check_id: row.get(2)?,
                        resource_id: row.get(3)?,
                        resource_arn: row.get(4)?,
                    },
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, bool>(7)?,
                    row.get::<_, String>(8)?,
                    row.get::<_, Option<String>>(9)?,
                ))
            })
            .map_err(self.sqlite("reading findings"))?;
        let mut findings = Vec::new();
        for row in rows {
            let (key, status, severity, muted, message, failing_since) =
                row.map_err(self.sqlite("reading findings"))?;
            let unreadable = |what: &str, value: &str| StoreError::NotAStore {
                path: self.path.clone(),
                reason: format!("a finding has an unknown {what} {value:?}"),
            };
            findings.push(FindingRecord {
                status: parse_status(&status).ok_or_else(|| unreadable("status", &status))?,
                severity: severity.parse().map_err(|_| unreadable("severity", &severity))?,
                key,
                muted,
                message,
                failing_since,
            });
        }
        Ok(findings)
    }

    /// Each finding of `account` as the newest complete scan before `before`
    /// that ran its check on the account saw it, for dating FAILs.
    pub fn previous_states(
        &self,
        account: &str,
        before: i64,
    ) -> Result<HashMap<FindingKey, PreviousState>, StoreError> {
        let sql = "WITH previous AS (
                 SELECT c.check_id, max(s.id) AS scan_id FROM scans s
                 JOIN scan_accounts a ON a.scan_id = s.id AND a.account_id = ?1
                 JOIN scan_checks c ON c.scan_id = s.id
                 WHERE s.state = 'complete' AND s.id < ?2
                 GROUP BY c.check_id)
             SELECT f.account_id, f.region, f.check_id, f.resource_id, f.resource_arn, f.status, f.failing_since,
                    s.started_at
             FROM previous p JOIN findings f ON f.scan_id = p.scan_id AND f.check_id = p.check_id AND f.account_id = ?1
             JOIN scans s ON s.id = p.scan_id";
        let mut statement = self.connection.prepare(sql).map_err(self.sqlite("reading the previous scan"))?;
        let rows = statement
            .query_map(params![account, before], |row| {
                let key = FindingKey {
                    account_id: row.get(0)?,
                    region: row.get(1)?,
                    check_id: row.get(2)?,
                    resource_id: row.get(3)?,
                    resource_arn: row.get(4)?,
                };
                Ok((key, row.get::<_, String>(5)?, row.get::<_, Option<String>>(6)?, row.get::<_, String>(7)?))
            })
            .map_err(self.sqlite("reading the previous scan"))?;
        let mut states = HashMap::new();
        for row in rows {
            let (key, status, failing_since, scan_started_at) =
                row.map_err(self.sqlite("reading the previous scan"))?;
            if let Some(status) = parse_status(&status) {
                states.insert(key, PreviousState { status, failing_since, scan_started_at });
            }
        }
        Ok(states)
    }

    /// Unmuted FAILs per check and per account over the newest `last`
    /// complete scans (and `including`, a scan still running: the one whose
    /// report is being made), oldest first. A check with no FAIL in any of
    /// them has no trend.
    pub fn trends(&self, last: u64, including: Option<i64>) -> Result<Vec<Trend>, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT id, started_at FROM scans WHERE state = 'complete' OR id = ?2 ORDER BY id DESC LIMIT ?1")
            .map_err(self.sqlite("reading trends"))?;
        let mut scans: Vec<(i64, String)> = statement
            .query_map(params![last as i64, including.unwrap_or(0)], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(self.sqlite("reading trends"))?
            .collect::<Result<_, _>>()
            .map_err(self.sqlite("reading trends"))?;
        scans.reverse();
        let Some(&(oldest, _)) = scans.first() else { return Ok(Vec::new()) };
        let mut trends = Vec::new();
        for (kind, column, coverage) in
            [("check", "check_id", "scan_checks"), ("account", "account_id", "scan_accounts")]
        {
            let counts = self.grouped(
                &format!(
                    "SELECT scan_id, {column}, count(*) FROM findings
                     WHERE scan_id >= ?1 AND status = 'FAIL' AND muted = 0 GROUP BY scan_id, {column}"
                ),
                oldest,
            )?;
            let covered =
                self.grouped(&format!("SELECT scan_id, {column}, 0 FROM {coverage} WHERE scan_id >= ?1"), oldest)?;
            let subjects: std::collections::BTreeSet<&String> = match kind {
                "check" => counts.keys().map(|(_, subject)| subject).collect(),
                _ => covered.keys().map(|(_, subject)| subject).collect(),
            };
            for subject in subjects {
                let points = scans
                    .iter()
                    .map(|(scan_id, started_at)| {
                        let key = (*scan_id, subject.clone());
                        let fail = counts.get(&key).copied().or_else(|| covered.contains_key(&key).then_some(0));
                        TrendPoint { scan_id: *scan_id, started_at: started_at.clone(), fail }
                    })
                    .collect();
                trends.push(Trend { kind: kind.to_owned(), subject: subject.clone(), points });
            }
        }
        Ok(trends)
    }

    fn grouped(&self, sql: &str, oldest: i64) -> Result<BTreeMap<(i64, String), u64>, StoreError> {
        let mut statement = self.connection.prepare(sql).map_err(self.sqlite("reading trends"))?;
        let rows = statement
            .query_map(params![oldest], |row| Ok(((row.get(0)?, row.get(1)?), row.get::<_, i64>(2)?.max(0) as u64)))
            .map_err(self.sqlite("reading trends"))?;
        rows.collect::<Result<_, _>>().map_err(self.sqlite("reading trends"))
    }

    /// Every scan, newest first, with its state and counts.
    pub fn list(&self) -> Result<Vec<ScanListing>, StoreError> {
        let sql = "SELECT s.id, s.state, s.problem, s.started_at, coalesce(s.finished_at, ''),
                (SELECT count(*) FROM scan_accounts a WHERE a.scan_id = s.id),
                (SELECT count(*) FROM scan_checks c WHERE c.scan_id = s.id),
                (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'PASS'),
                (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'FAIL'),
                (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'ERROR')
             FROM scans s ORDER BY s.id DESC";
        let mut statement = self.connection.prepare(sql).map_err(self.sqlite("listing scans"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(ScanListing {
                    id: row.get(0)?,
                    state: row.get(1)?,
                    problem: row.get(2)?,
                    started_at: row.get(3)?,
                    finished_at: row.get(4)?,
                    accounts: row.get(5)?,
                    checks: row.get(6)?,
                    pass: row.get(7)?,
                    fail: row.get(8)?,
                    error: row.get(9)?,
                })
            })
            .map_err(self.sqlite("listing scans"))?;
        rows.collect::<Result<_, _>>().map_err(self.sqlite("listing scans"))
    }
}
