//! `bulkhead merge --store` (and merge with a sink): the merged findings
//! pass the same consumers as a scan's, account by account, so that an
//! organisation scanned in shards is one scan in the store, with history,
//! drift since the store's latest scan, `failing_since` and --fail-on-new;
//! then the reports are delivered as a scan's are, to the sinks too.
//!
//! The findings were judged by the shards (muted there, by the mutelist
//! their fingerprint agrees on); here they are dated, recorded, compared
//! and counted. The scan's times, principal, call stats and collection
//! errors are the merged report's.

use std::time::Duration;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::aws::session::RetryMode;
use crate::aws::{CallGate, ConcurrencyLimits, Session, SessionOptions};
use crate::cli::MergeArgs;
use crate::model::{Report, ReportFinding};
use crate::outcome::Outcome;
use crate::pipeline::{
    self, Carried, Evaluator, Inputs, Memory, Recording, RunRecord, Settings, SinkSession, deliver_to_sinks, header,
};
use crate::plan::CheckSelection;
use crate::progress::Progress;
use crate::sinks::s3;

/// Records the merged report's findings and delivers the reports.
/// `session`: the caller's, when a sink or a report is on AWS.
pub async fn deliver(merged: Report, settings: &Settings, session: Option<Session>) -> Result<Outcome> {
    let remote_store = match (&settings.remote_store, &session) {
        (Some(url), Some(session)) => {
            Some(s3::download_store(&s3::client(session), url, &settings.store_path()).await?)
        }
        _ => None,
    };
    let selection = CheckSelection { include: Some(merged.scan.checks.clone()), ..CheckSelection::default() };
    let inputs = Inputs::load(&selection, settings)?;
    let memory = Memory::open(settings, Recording::OnlyWithStore, RunRecord::default())?;
    let scan = &merged.scan;
    let started_at: Timestamp =
        scan.started_at.parse().with_context(|| format!("the merged scan's start {:?}", scan.started_at))?;
    let header = header(started_at, &scan.principal_arn, scan.accounts.clone(), scan.regions.clone(), &inputs.checks);
    let mut evaluator = Evaluator::new(&inputs, settings, memory, header, started_at)?;
    evaluator.carry(Carried {
        errors: scan.errors.clone(),
        unavailable: scan.unavailable_features.clone(),
        names: scan.account_names.clone(),
        vulnerable: merged.vulnerabilities.clone(),
    });
    // The merged findings are together by account (merge refuses shards
    // whose accounts' findings are apart): one account's are held at a time.
    let mut account: Option<String> = None;
    let mut held: Vec<ReportFinding> = Vec::new();
    merged.findings.each(|_, finding| {
        if account.as_deref() != Some(finding.account_id.as_str())
            && let Some(done) = account.replace(finding.account_id.clone())
        {
            evaluator.judged_account(&done, held.drain(..))?;
        }
        held.push(finding.clone());
        Ok(())
    })?;
    if let Some(done) = account {
        evaluator.judged_account(&done, held.drain(..))?;
    }
    let mut finished = evaluator.finish(scan.principal_arn.clone(), scan.regions.clone(), scan.stats.clone(), None)?;
    // The shards' times, not this merge's.
    finished.report.scan.started_at = scan.started_at.clone();
    finished.report.scan.finished_at = scan.finished_at.clone();
    finished.report.scan.organizational_units = scan.organizational_units.clone();
    let progress = Progress::start(true, 0, inputs.checks.len());
    match session {
        Some(session) => {
            let sinks = SinkSession { session: &session, store: remote_store };
            deliver_to_sinks(finished, settings, &progress, sinks).await
        }
        None => pipeline::deliver(finished, settings, &progress),
    }
}

/// The caller's own session, for the sinks only: merge reads no account.
pub async fn session(args: &MergeArgs) -> Result<Session> {
    let gate = CallGate::new(ConcurrencyLimits {
        global: std::num::NonZeroUsize::new(8).expect("non-zero"),
        per_endpoint: std::num::NonZeroUsize::new(8).expect("non-zero"),
    });
    let options = SessionOptions {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        retry_mode: RetryMode::Standard,
        max_attempts: 8,
        connect_timeout: Duration::from_secs(10),
        operation_timeout: Duration::from_secs(60),
    };
    Session::load(&options, gate.ledger().clone()).await
}
