//! The fleet by account: one row per account scanned (when more than one
//! was), worst first, with its FAILs by severity, its ERRORs and what
//! changed since the scan compared with; each row links to its findings.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Report;
use crate::severity::Severity;

/// Accounts in the table on the page; the rest are one click away, in the
/// same order, so that a fleet of a thousand accounts stays a page.
pub(super) const ACCOUNTS_SHOWN: usize = 25;

#[derive(Debug, Serialize)]
pub(super) struct FleetView<'a> {
    total: usize,
    shown: usize,
    /// The worst [`ACCOUNTS_SHOWN`] accounts, then (if any) the others.
    tables: Vec<Vec<AccountRow<'a>>>,
    /// Whether the report compares with an earlier scan.
    compared: bool,
}

#[derive(Debug, Serialize)]
struct AccountRow<'a> {
    id: &'a str,
    /// The IAM alias, when it is not the id.
    name: Option<&'a str>,
    /// Unmuted FAILs by severity, critical first.
    fail: [u64; 5],
    fail_total: u64,
    error: u64,
    new_fail: u64,
    resolved_fail: u64,
}

/// `None` for a scan of one account.
pub(super) fn view(report: &Report) -> Option<FleetView<'_>> {
    if report.scan.accounts.len() < 2 {
        return None;
    }
    let changes = report.history.as_ref().and_then(|history| history.changes.as_ref());
    let mut moved: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    if let Some(changes) = changes {
        for entry in &changes.new_failures {
            moved.entry(entry.account_id.as_str()).or_default().0 += 1;
        }
        for entry in &changes.resolved_failures {
            moved.entry(entry.account_id.as_str()).or_default().1 += 1;
        }
    }
    let mut rows: Vec<AccountRow<'_>> = report
        .scan
        .accounts
        .iter()
        .map(|id| {
            let by_severity = report.tally.fail_by_account_severity.get(id).copied().unwrap_or_default();
            let fail: [u64; 5] = std::array::from_fn(|index| by_severity[Severity::ALL[4 - index] as usize]);
            let (new_fail, resolved_fail) = moved.get(id.as_str()).copied().unwrap_or_default();
            let name = report.account_name(id);
            AccountRow {
                id,
                name: (name != id.as_str()).then_some(name),
                fail,
                fail_total: fail.iter().sum(),
                error: report.tally.by_account.get(id).map_or(0, |counts| counts.error),
                new_fail,
                resolved_fail,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.fail.cmp(&a.fail).then(b.error.cmp(&a.error)).then(a.id.cmp(b.id)));
    let more = rows.split_off(rows.len().min(ACCOUNTS_SHOWN));
    let shown = rows.len();
    let tables = if more.is_empty() { vec![rows] } else { vec![rows, more] };
    Some(FleetView { total: report.scan.accounts.len(), shown, tables, compared: changes.is_some() })
}
