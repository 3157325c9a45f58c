//! The end of the stage after collection: the record completed, the report
//! built once from what every consumer made, then written out with the
//! terminal's summary.

use anyhow::Result;
use jiff::Timestamp;

use super::Settings;
use super::evaluator::Evaluator;
use super::gate::Judgement;
use super::recorder::Recorded;
use crate::assemble;
use crate::history::{ScanHeader, StoreError};
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
    /// Why the scan is not recorded in the store, when it should have been.
    pub store_problem: Option<(StoreError, std::path::PathBuf)>,
}

pub(super) fn finish(
    evaluator: Evaluator<'_>,
    principal_arn: String,
    regions: Vec<String>,
    stats: CallStats,
    shard: Option<ShardInfo>,
) -> Result<Finished> {
    let Evaluator { inputs, header, chain, baseline, mut facts, .. } = evaluator;
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
        assemble::mutelist(summary)
    });
    let finished_at = Timestamp::now().to_string();
    let mut changes = chain.comparison.finish();
    let (trends, store_problem) = complete(chain.recorder.finish(), &finished_at, &chain.tally, facts.errors.len());
    if let (Some(changes), Some(id)) = (changes.as_mut(), trends.as_ref().map(|(id, _)| *id)) {
        changes.new.id = Some(id);
        changes.new.label = format!("scan {id}");
    }
    let trends = trends.map(|(_, trends)| trends).unwrap_or_default();
    let mut checks: Vec<_> = inputs.checks.iter().map(|check| assemble::check(&inputs.catalog[check.id])).collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    let has_history = changes.is_some() || !trends.is_empty();
    let report = Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at: header.started_at,
            finished_at,
            principal_arn,
            accounts: header.accounts,
            account_names: facts.names,
            regions,
            checks: header.checks,
            errors: facts.errors,
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
    Ok(Finished { report, judgement, baseline: baseline.map(|baseline| baseline.header().clone()), store_problem })
}

/// Makes the scan visible in the store, with its summary, and reads the
/// trends that now include it; or says why the scan is not recorded.
type Completed = (Option<(i64, Vec<Trend>)>, Option<(StoreError, std::path::PathBuf)>);

fn complete(recorded: Recorded, finished_at: &str, tally: &Tally, collection_errors: usize) -> Completed {
    let Recorded { store, problem, path } = recorded;
    let problem = problem.map(|problem| (problem, path.clone()));
    let Some((mut store, id)) = store else {
        return (None, problem);
    };
    let counts = &tally.total;
    let summary = serde_json::json!({
        "findings": counts.findings(),
        "pass": counts.of_status(Status::Pass),
        "fail": counts.of_status(Status::Fail),
        "error": counts.of_status(Status::Error),
        "muted": counts.muted(),
        "collection_errors": collection_errors,
    });
    match store.complete(id, finished_at, &summary).and_then(|()| store.trends(TREND_SCANS)) {
        Ok(trends) => (Some((id, trends)), problem),
        Err(err) => (None, Some(problem.unwrap_or((err, path)))),
    }
}

/// Writes every format asked for, prints the summary and returns the exit
/// outcome; a scan the store could not record is an error once the
/// reports are written.
pub fn deliver(finished: Finished, settings: &Settings, progress: &Progress) -> Result<Outcome> {
    let Finished { report, judgement, baseline, store_problem } = finished;
    let output = &settings.output;
    let written = report::write_reports(&report, &output.formats, &output.dir, &output.name)?;
    progress.finish();
    if !settings.quiet {
        let fail_on = settings.effective_gate().fail_on;
        eprintln!("{}", progress::summary(&report, &written, fail_on, judgement.outcome));
        if let Some(baseline) = &baseline {
            let note = progress::baseline_note(baseline, judgement.already_failing, settings.fail_on_new.is_some());
            eprintln!("{note}");
        }
    }
    if settings.stats_table {
        eprintln!("{}", progress::call_stats(&report.scan.stats));
    }
    if let Some((problem, path)) = store_problem {
        return Err(anyhow::Error::new(problem).context(format!(
            "the reports are written, but this scan is not recorded in the store {}",
            path.display()
        )));
    }
    Ok(judgement.outcome)
}
