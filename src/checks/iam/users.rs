//! What the per-user checks read from a credential report row.

use jiff::Timestamp;

use crate::inventory::iam::{AccessKeyReport, CredentialReportRow, ReportDate};

/// Whole days from `date` to `now`; `None` when the date is not a date.
pub fn age_days(date: &ReportDate, now: Timestamp) -> Option<i64> {
    date.at.map(|at| (now.as_second() - at.as_second()).max(0) / 86_400)
}

pub fn active_keys(row: &CredentialReportRow) -> Vec<&AccessKeyReport> {
    row.access_keys.iter().filter(|key| key.active).collect()
}
