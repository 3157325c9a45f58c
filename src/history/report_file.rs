//! A past scan read from a bulkhead JSON report, for `diff` and
//! `--baseline` without a store, through the report's own v1 reader. Fields
//! this bulkhead does not know are passed over: v1 grows by adding fields.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::record::{FindingKey, FindingRecord, ScanHeader, Snapshot};
use crate::model::{ReportFinding, ReportHeader};
use crate::report::json::{self, Exactness, ReadError};

/// Why a report cannot be read as a past scan.
pub type SnapshotError = ReadError;

/// The report at `path` as a snapshot, all its findings in memory.
pub fn read_report(path: &Path) -> Result<Snapshot, SnapshotError> {
    let mut findings = Vec::new();
    let header = json::read(path, Exactness::Known, &mut |finding| {
        findings.push(record(finding));
        Ok(())
    })?;
    Ok(Snapshot { header: scan_header(path, &header), findings })
}

/// The header of the report at `path`, its findings passed over.
pub fn read_report_header(path: &Path) -> Result<ScanHeader, SnapshotError> {
    json::read_header(path, Exactness::Known).map(|header| scan_header(path, &header))
}

fn scan_header(path: &Path, header: &ReportHeader) -> ScanHeader {
    let scan = &header.scan;
    ScanHeader {
        id: None,
        label: path.display().to_string(),
        started_at: scan.started_at.clone(),
        finished_at: scan.finished_at.clone(),
        principal_arn: scan.principal_arn.clone(),
        tool_version: header.tool.version.clone(),
        accounts: scan.accounts.clone(),
        regions: scan.regions.clone(),
        checks: scan.checks.clone(),
    }
}

fn record(finding: ReportFinding) -> FindingRecord {
    FindingRecord {
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
    }
}

/// One account's findings.
pub type AccountFindings = (String, Vec<FindingRecord>);

/// The findings of a report, one account at a time in account order (the
/// order bulkhead writes them in), read on a thread of their own that
/// stays at most one account ahead: a reader holds one account's findings,
/// never the report's.
#[derive(Debug)]
pub struct ReportAccounts {
    accounts: Receiver<Result<AccountFindings, SnapshotError>>,
    reading: Option<JoinHandle<()>>,
}

impl ReportAccounts {
    pub fn open(path: PathBuf) -> ReportAccounts {
        let (sender, accounts) = sync_channel(1);
        let reading = std::thread::spawn(move || send_accounts(&path, &sender));
        ReportAccounts { accounts, reading: Some(reading) }
    }
}

impl Iterator for ReportAccounts {
    type Item = Result<AccountFindings, SnapshotError>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.accounts.recv().ok();
        // The reader ended, having sent all it read: a panic is the only thing to pass on.
        if next.is_none()
            && let Some(reading) = self.reading.take()
            && let Err(panic) = reading.join()
        {
            std::panic::resume_unwind(panic);
        }
        next
    }
}

/// Reads the report, sending each account's findings once the next
/// account's begin, and an error for a report out of account order.
fn send_accounts(path: &Path, sender: &SyncSender<Result<AccountFindings, SnapshotError>>) {
    let mut current: Option<AccountFindings> = None;
    let read = json::read(path, Exactness::Known, &mut |finding| {
        let record = record(finding);
        match &mut current {
            Some((account, records)) if *account == record.key.account_id => records.push(record),
            _ => {
                let next = (record.key.account_id.clone(), vec![record]);
                if let Some(done) = current.replace(next) {
                    let account = &current.as_ref().expect("replaced above").0;
                    anyhow::ensure!(
                        done.0 < *account,
                        "its findings are not in account order (account {account} after {})",
                        done.0
                    );
                    // The receiver gone, the comparison stopped: so does the read.
                    sender.send(Ok(done)).map_err(|_| anyhow::anyhow!("the comparison stopped"))?;
                }
            }
        }
        Ok(())
    });
    let last = match read {
        Ok(_) => current.map(Ok),
        Err(err) => Some(Err(err)),
    };
    if let Some(last) = last {
        let _ = sender.send(last);
    }
}
