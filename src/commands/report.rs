//! `bulkhead report [SCAN_ID|latest]`: a stored scan's reports written
//! again, in any format, from what the store kept of it: the report without
//! its findings, kept as the scan completed, and each finding with its
//! detail. The findings are read from the store one at a time into the
//! spill file every format is written from, as a scan writes them, so that
//! memory does not grow with them. Only the tool version differs from what
//! the scan wrote (it is this bulkhead's). A scan recorded before the store
//! kept whole reports is refused, saying why: never a report that differs.

use std::process::ExitCode;

use anyhow::Context as _;

use super::fatal;
use crate::cli::ReportArgs;
use crate::files::OutputLock;
use crate::history::Store;
use crate::model::{Report, SpillWriter, Tally, Tool};
use crate::report;

pub fn run(args: &ReportArgs) -> ExitCode {
    match write(args) {
        Ok(written) => {
            for path in written {
                eprintln!("report: {path}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => fatal(&err),
    }
}

fn write(args: &ReportArgs) -> anyhow::Result<Vec<String>> {
    let store = Store::open_to_read(&args.store)?;
    let (id, kept) = store.kept_report(args.scan.store_id())?;
    let _lock = OutputLock::acquire(&args.output_dir, &args.output_name)?;
    let mut spill = SpillWriter::create_in(&args.output_dir)
        .with_context(|| format!("creating the findings' temporary file in {}", args.output_dir.display()))?;
    let mut tally = Tally::default();
    let mut account = None::<String>;
    store.each_kept_finding(id, &kept.tool.version, &mut |finding| {
        if account.as_deref() != Some(finding.account_id.as_str()) {
            spill.begin_account(&finding.account_id);
            account = Some(finding.account_id.clone());
        }
        tally.add(&finding);
        spill.add(&finding).context("writing findings to their temporary file")
    })?;
    let report = Report {
        tool: Tool::this(),
        scan: kept.scan,
        findings: spill.finish().context("reading back the findings' temporary file")?,
        checks: kept.checks,
        frameworks: kept.frameworks,
        history: kept.history,
        vulnerabilities: kept.vulnerabilities,
        tally,
    };
    report::write_reports(&report, &args.output_formats, &args.output_dir, &args.output_name)
}
