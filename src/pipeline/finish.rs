//! The end of the stage after collection: the report built once from what
//! every consumer made, written out with the terminal's summary, and only
//! then the scan completed in the store. A run that fails to write its
//! reports is ended `failed`, and one that dies before stays `running`:
//! neither is ever a baseline.

use std::path::PathBuf;

use anyhow::Result;
use jiff::Timestamp;

use super::Settings;
use super::chain::Ending;
use super::gate::Judgement;
use super::memory::RunRecord;
use super::recorder::Recorded;
use crate::assemble;
use crate::history::{Ended, KeptReport, ScanHeader, Store, StoreError};
use crate::model::{CallStats, History, Report, ScanSummary, ShardInfo, Tally, Tool, Trend, VulnerableImage};
use crate::outcome::Outcome;
use crate::progress::{self, Progress};
use crate::report;
use crate::severity::Status;

/// How many scans the report's trends reach back.
const TREND_SCANS: u64 = 10;

/// A finished evaluation: the report and the verdict, ready to be written.
#[derive(Debug)]
pub struct Finished {
    pub report: Report,
    pub judgement: Judgement,
    /// The baseline compared with, for the summary.
    pub baseline: Option<ScanHeader>,
    record: Record,
}

/// The scan's row in the store, to complete once the reports are written.
#[derive(Debug)]
struct Record {
    store: Option<(Store, i64)>,
    /// The store's summary of the scan.
    summary: serde_json::Value,
    /// Why the scan is not recorded, when it should have been.
    problem: Option<(StoreError, PathBuf)>,
    run: RunRecord,
}

pub(super) fn finish(
    ending: Ending<'_>,
    principal_arn: String,
    regions: Vec<String>,
    stats: CallStats,
    shard: Option<ShardInfo>,
) -> Result<Finished> {
    let Ending { inputs, header, chain, baseline, mut facts, run } = ending;
    facts.errors.sort();
    facts.errors.dedup();
    let judgement = chain.gatekeeper.finish(!facts.errors.is_empty());
    let mutelist = inputs.mutelist.as_ref().map(|mutelist| {
        let summary = mutelist.summary(crate::mutelist::Date::today());
        for expired in &summary.expired {
            tracing::warn!(
                account = %expired.account, check = %expired.check, expires = %expired.expires,
                "mutelist entry has expired and mutes nothing"
            );
        }
        summary
    });
    let mut changes = chain.comparison.finish();
    let summary = summary(&chain.tally, facts.errors.len());
    let (trends, record) = trends(chain.recorder.finish(), summary, run);
    if let (Some(changes), Some((_, id))) = (changes.as_mut(), &record.store) {
        changes.new.id = Some(*id);
        changes.new.label = format!("scan {id}");
    }
    let mut checks: Vec<_> = inputs.checks.iter().map(|check| assemble::check(&inputs.catalog[check.id])).collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    let has_history = changes.is_some() || !trends.is_empty();
    let report = Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at: header.started_at,
            finished_at: Timestamp::now().to_string(),
            principal_arn,
            accounts: header.accounts,
            account_names: facts.names,
            regions,
            checks: header.checks,
            errors: facts.errors,
            unavailable_features: {
                let mut unavailable = facts.unavailable;
                unavailable.sort();
                unavailable
            },
            mutelist,
            stats,
            shard,
            organizational_units: None,
        },
        findings: chain.spill.finish()?,
        checks,
        frameworks: inputs.frameworks.iter().map(assemble::framework).collect(),
        history: has_history.then_some(History { changes, trends }),
        vulnerabilities: facts.vulnerable.map(|mut images| {
            VulnerableImage::rank_all(&mut images);
            images
        }),
        tally: chain.tally,
    };
    Ok(Finished { report, judgement, baseline: baseline.map(|baseline| baseline.header().clone()), record })
}

/// What the store records of a scan's findings.
fn summary(tally: &Tally, collection_errors: usize) -> serde_json::Value {
    let counts = &tally.total;
    serde_json::json!({
        "findings": counts.findings(),
        "pass": counts.of_status(Status::Pass),
        "fail": counts.of_status(Status::Fail),
        "error": counts.of_status(Status::Error),
        "muted": counts.muted(),
        "collection_errors": collection_errors,
    })
}

/// The trends over the last scans and this one (still `running` until its
/// reports are written).
fn trends(recorded: Recorded, summary: serde_json::Value, run: RunRecord) -> (Vec<Trend>, Record) {
    let Recorded { store, problem, path } = recorded;
    let mut record = Record { store, summary, problem: problem.map(|problem| (problem, path.clone())), run };
    let Some((store, id)) = &record.store else {
        return (Vec::new(), record);
    };
    match store.trends(TREND_SCANS, Some(*id)) {
        Ok(trends) => (trends, record),
        Err(err) => {
            record.fail(err, &path);
            (Vec::new(), record)
        }
    }
}

impl Record {
    fn fail(&mut self, err: StoreError, path: &std::path::Path) {
        self.problem.get_or_insert((err, path.to_owned()));
        if let Some((mut store, id)) = self.store.take() {
            let _ = store.end(id, Ended::Failed, &Timestamp::now().to_string(), "the scan store failed");
        }
    }

    /// The reports are written: the scan becomes visible, a baseline, and
    /// keeps its report to write again (`bulkhead report`).
    fn complete(&mut self, report: &Report) {
        let kept = KeptReport::json_of(report);
        if let Some((mut store, id)) = self.store.take()
            && let Err(err) = store.complete_keeping(id, &report.scan.finished_at, &self.summary, Some(&kept))
        {
            let path = store.path().to_owned();
            self.problem.get_or_insert((err, path));
        }
        self.run.clear();
    }

    /// The reports could not be written: the scan is listed as failed,
    /// never compared with.
    fn failed(&mut self, why: &anyhow::Error) {
        if let Some((mut store, id)) = self.store.take()
            && let Err(err) = store.end(id, Ended::Failed, &Timestamp::now().to_string(), &format!("{why:#}"))
        {
            tracing::warn!(error = %err, "could not record the scan as failed");
        }
        self.run.clear();
    }
}

/// The reports written where they are first written, the scan not yet
/// complete in the store: what the sinks (an S3 upload, above all) act on
/// before it is.
#[derive(Debug)]
pub struct Written {
    pub report: Report,
    pub judgement: Judgement,
    baseline: Option<ScanHeader>,
    record: Record,
    /// The paths of the files written.
    pub files: Vec<String>,
}

/// Writes every format asked for; a report that cannot be written ends the
/// scan `failed` in the store.
pub fn write(finished: Finished, settings: &Settings) -> Result<Written> {
    let Finished { report, judgement, baseline, mut record } = finished;
    let output = &settings.output;
    match report::write_reports(&report, &output.formats, &output.dir, &output.name) {
        Ok(files) => Ok(Written { report, judgement, baseline, record, files }),
        Err(err) => {
            record.failed(&err);
            Err(err)
        }
    }
}

impl Written {
    /// The reports are where they belong: the scan becomes visible, a baseline.
    pub fn complete(&mut self) {
        self.record.complete(&self.report);
    }

    /// The reports did not reach where they belong: the scan is listed as
    /// failed, never compared with.
    pub fn failed(&mut self, why: &anyhow::Error) {
        self.record.failed(why);
    }

    /// Prints the summary (naming the reports as `shown`) and returns the
    /// exit outcome; a scan the store could not record is an error.
    pub fn end(&mut self, settings: &Settings, progress: &Progress, shown: &[String]) -> Result<Outcome> {
        progress.finish();
        let outcome = self.judgement.outcome;
        if !settings.quiet {
            let fail_on = settings.effective_gate().fail_on;
            eprintln!("{}", progress::summary(&self.report, shown, fail_on, outcome));
            if let Some(baseline) = &self.baseline {
                let already = self.judgement.already_failing;
                eprintln!("{}", progress::baseline_note(baseline, already, settings.fail_on_new.is_some()));
            }
        }
        if settings.stats_table {
            eprintln!("{}", progress::call_stats(&self.report.scan.stats));
        }
        if let Some((problem, path)) = self.record.problem.take() {
            return Err(anyhow::Error::new(problem).context(format!(
                "the reports are written, but this scan is not recorded in the store {}",
                path.display()
            )));
        }
        Ok(outcome)
    }
}

/// Writes every format asked for, then completes the scan in the store,
/// prints the summary and returns the exit outcome; a scan the store could
/// not record is an error once the reports are written.
pub fn deliver(finished: Finished, settings: &Settings, progress: &Progress) -> Result<Outcome> {
    let mut written = write(finished, settings)?;
    written.complete();
    let files = written.files.clone();
    written.end(settings, progress, &files)
}
