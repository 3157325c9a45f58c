//! What bulkhead remembers between scans: the scan store (SQLite), the
//! snapshot of a past scan read from the store or from a JSON report, and
//! drift, the pure comparison of two snapshots.
//!
//! A finding's identity across scans is its [`FindingKey`]: account, region,
//! check and resource (id and ARN, both fixed at collection).

mod drift;
mod record;
mod report_file;
mod store;

pub use drift::{absorb, compare, order};
pub use record::{FindingKey, FindingRecord, PreviousState, ScanHeader, Snapshot, age_in_days, failing_since};
pub use report_file::{AccountFindings, ReportAccounts, SnapshotError, read_report, read_report_header};
pub use store::{Ended, FindingDetail, FindingsBatch, KeptError, KeptReport, Prune, ScanListing, Store, StoreError};

/// Which past scan a command compares with: a scan in the store or a JSON report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanRef {
    /// The newest complete scan in the store.
    Latest,
    Id(i64),
    Report(std::path::PathBuf),
}

impl ScanRef {
    /// The scan's id in the store: `None` for the latest (and for a report).
    pub fn store_id(&self) -> Option<i64> {
        match self {
            ScanRef::Id(id) => Some(*id),
            ScanRef::Latest | ScanRef::Report(_) => None,
        }
    }
}

impl std::str::FromStr for ScanRef {
    type Err = String;

    fn from_str(text: &str) -> Result<ScanRef, String> {
        if text == "latest" {
            return Ok(ScanRef::Latest);
        }
        if let Ok(id) = text.parse::<i64>() {
            return if id > 0 { Ok(ScanRef::Id(id)) } else { Err("a scan id is a positive number".to_owned()) };
        }
        if text.is_empty() {
            return Err("expected `latest`, a scan id or a JSON report's path".to_owned());
        }
        Ok(ScanRef::Report(text.into()))
    }
}

impl std::fmt::Display for ScanRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanRef::Latest => f.write_str("the latest scan"),
            ScanRef::Id(id) => write!(f, "scan {id}"),
            ScanRef::Report(path) => write!(f, "{}", path.display()),
        }
    }
}
