//! Everything after collection, shared by `scan` and `evaluate`: evaluate
//! the checks, apply the mutelist, date and record the findings in the scan
//! store, compare with the baseline, judge the exit code, build the report
//! model and write every format.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::assemble;
use crate::checks::metadata::{CatalogEntry, Framework, catalog, frameworks};
use crate::checks::{Check, Context, Finding};
use crate::cli::{EvaluationArgs, OutputFormat, SelectionArgs};
use crate::config::{Config, ConfigError};
use crate::history::{
    self, FindingKey, FindingRecord, PreviousState, ScanHeader, ScanRef, Snapshot, SnapshotError, Store, StoreError,
};
use crate::inventory::Inventory;
use crate::mutelist::{Date, Mutelist, MutelistError};
use crate::outcome::{Gate, Outcome};
use crate::plan::{self, CheckSelection, PlanError};
use crate::report::{self, CallStats, History, Report, ScanError, ScanSummary, ShardInfo, Tool, write_atomically};
use crate::severity::Status;

/// How many scans the report's trends reach back.
const TREND_SCANS: u64 = 10;

/// A problem with what the user asked for: exit 2, before any AWS call.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("invalid config file {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Mutelist(#[from] MutelistError),
    #[error("baseline: {0}")]
    Baseline(#[from] SnapshotError),
    #[error("baseline: {0}")]
    BaselineStore(StoreError),
    #[error("{0}")]
    Other(String),
}

/// What the user gave, validated, and the check catalogue.
#[derive(Debug)]
pub struct Inputs {
    pub config: Config,
    pub mutelist: Option<Mutelist>,
    pub catalog: BTreeMap<String, CatalogEntry>,
    pub frameworks: Vec<Framework>,
    pub checks: Vec<&'static Check>,
    pub selection: serde_json::Value,
}

impl Inputs {
    pub fn load(selection: &SelectionArgs, evaluation: &EvaluationArgs) -> Result<Inputs> {
        let config = match &evaluation.config {
            Some(path) => Config::load(path).map_err(UsageError::from)?,
            None => Config::default(),
        };
        let mutelist = evaluation.mutelist.as_deref().map(Mutelist::load).transpose().map_err(UsageError::Mutelist)?;
        let catalog = catalog()?;
        let frameworks: Vec<Framework> = frameworks()?.into_iter().map(|(framework, _)| framework).collect();
        let checks =
            plan::select_checks_in(&check_selection(selection), &catalog, &frameworks).map_err(UsageError::from)?;
        let selection = serde_json::json!({
            "checks": selection.checks,
            "exclude_checks": selection.exclude_checks,
            "services": selection.services,
            "severity": selection.severity,
            "compliance": selection.compliance,
        });
        Ok(Inputs { config, mutelist, catalog, frameworks, checks, selection })
    }
}

pub fn check_selection(selection: &SelectionArgs) -> CheckSelection {
    CheckSelection {
        include: selection.checks.clone(),
        exclude: selection.exclude_checks.clone(),
        services: selection.services.clone(),
        severities: selection.severity.clone(),
        compliance: selection.compliance.clone(),
    }
}

/// What collection produced, from AWS or from a saved inventory.
#[derive(Debug)]
pub struct Collection {
    pub started_at: Timestamp,
    pub principal_arn: String,
    pub regions: Vec<String>,
    pub inventory: Inventory,
    pub stats: CallStats,
    /// Which shard of a sharded scan this is (`scan --shard`).
    pub shard: Option<ShardInfo>,
}

/// Whether findings are recorded in the store (a scan, by default) or only
/// compared with it (an offline evaluation, unless given `--store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    ByDefault,
    OnlyWithStore,
}

/// The scan store as this run uses it, and the baseline. Opened before
/// any AWS call, so a baseline that cannot be read stops the scan early.
#[derive(Debug)]
pub struct Remembered {
    /// Open for recording; `None` with `--no-store` or when it could not be opened.
    store: Option<Store>,
    /// This scan's id in the store, once begun.
    scan_id: Option<i64>,
    /// Why the store could not be used: reported after the reports are written.
    problem: Option<StoreError>,
    baseline: Option<Snapshot>,
    path: PathBuf,
}

pub fn store_path(evaluation: &EvaluationArgs) -> PathBuf {
    evaluation.store.clone().unwrap_or_else(|| evaluation.output_dir.join("bulkhead.db"))
}

impl Remembered {
    /// Opens the store and reads the baseline. A baseline that was asked
    /// for and cannot be read is a usage error; a store that cannot be
    /// opened for recording is reported after the reports are written.
    pub fn open(evaluation: &EvaluationArgs, recording: Recording) -> Result<Remembered, UsageError> {
        let path = store_path(evaluation);
        let record = !evaluation.no_store && (recording == Recording::ByDefault || evaluation.store.is_some());
        let (store, problem) = if record {
            match Store::open_or_create(&path) {
                Ok(store) => (Some(store), None),
                Err(err) => (None, Some(err)),
            }
        } else {
            (None, None)
        };
        let baseline = match &evaluation.baseline {
            Some(ScanRef::Report(report)) => Some(history::read_report(report)?),
            Some(stored) => Some(
                match &store {
                    Some(store) => store.snapshot_of(stored.store_id()),
                    None => Store::open_existing(&path).and_then(|store| store.snapshot_of(stored.store_id())),
                }
                .map_err(UsageError::BaselineStore)?,
            ),
            None => None,
        };
        let mut remembered = Remembered { store, scan_id: None, problem, baseline, path };
        // Without --baseline, the store's latest scan, if there is one. A
        // store that cannot give it back is reported like any store error,
        // not taken for a store without history.
        if evaluation.baseline.is_none()
            && let Some(store) = &remembered.store
        {
            match store.latest(None).and_then(|latest| latest.map(|id| store.snapshot(id)).transpose()) {
                Ok(latest) => remembered.baseline = latest,
                Err(err) => remembered.fail(err),
            }
        }
        Ok(remembered)
    }

    /// Starts recording this scan: from here on, a scan that dies leaves a
    /// `running` row that nobody reads.
    pub fn begin(&mut self, header: &ScanHeader, selection: &serde_json::Value) {
        if let Some(store) = self.store.as_mut() {
            match store.begin(header, selection) {
                Ok(id) => self.scan_id = Some(id),
                Err(err) => self.fail(err),
            }
        }
    }

    /// Stops recording after a store error; the reports are still written.
    fn fail(&mut self, err: StoreError) {
        self.problem.get_or_insert(err);
        self.store = None;
        self.scan_id = None;
    }

    fn recording(&mut self) -> Option<(&mut Store, i64)> {
        match (self.store.as_mut(), self.scan_id) {
            (Some(store), Some(id)) => Some((store, id)),
            _ => None,
        }
    }
}

/// What the store records of a scan before it is collected.
pub fn header(
    started_at: Timestamp,
    principal_arn: &str,
    accounts: Vec<String>,
    regions: Vec<String>,
    checks: &[&Check],
) -> ScanHeader {
    ScanHeader {
        id: None,
        label: "this scan".to_owned(),
        started_at: started_at.to_string(),
        finished_at: String::new(),
        principal_arn: principal_arn.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        accounts,
        regions,
        checks: checks.iter().map(|check| check.id.to_owned()).collect(),
    }
}

/// Evaluates, filters, remembers and reports; returns the exit outcome.
pub fn finish(
    inputs: &Inputs,
    collection: Collection,
    evaluation: &EvaluationArgs,
    mut remembered: Remembered,
    progress: &crate::progress::Progress,
    stats_table: bool,
) -> Result<Outcome> {
    let Inputs { config, mutelist, catalog, frameworks, checks, selection } = inputs;
    let started_at = collection.started_at.to_string();
    let Evaluated { mut findings, errors } = evaluate(&collection.inventory, config, checks, collection.started_at);
    let mutelist_summary = mutelist.as_ref().map(|mutelist| apply_mutelist(&mut findings, mutelist, Date::today()));
    progress.evaluated();

    let accounts: Vec<String> = collection
        .inventory
        .accounts
        .keys()
        .chain(collection.inventory.unreachable.iter().map(|account| &account.account_id))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let header =
        header(collection.started_at, &collection.principal_arn, accounts.clone(), collection.regions.clone(), checks);
    let check_ids = header.checks.clone();
    if remembered.scan_id.is_none() {
        remembered.begin(&header, selection);
    }

    // Date and record the findings account by account. Findings and records
    // share one order, so each finding finds its date by index.
    findings.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    let baseline_states = remembered.baseline.as_ref().map(Snapshot::previous_states).unwrap_or_default();
    let mut records = Vec::with_capacity(findings.len());
    for of_account in findings.chunk_by(|a, b| a.account_id == b.account_id) {
        let states = match remembered.recording() {
            Some((store, id)) => match store.previous_states(&of_account[0].account_id, id) {
                Ok(states) => states,
                Err(err) => {
                    remembered.fail(err);
                    HashMap::new()
                }
            },
            None => HashMap::new(),
        };
        let first = records.len();
        records
            .extend(of_account.iter().map(|finding| record(finding, catalog, &states, &baseline_states, &started_at)));
        if let Some((store, id)) = remembered.recording()
            && let Err(err) = store.add(id, &records[first..])
        {
            remembered.fail(err);
        }
    }
    let failing_since: Vec<Option<String>> = records.iter().map(|record| record.failing_since.clone()).collect();

    let gate =
        Gate { fail_on: evaluation.fail_on_new.unwrap_or(evaluation.fail_on), allow_errors: evaluation.allow_errors };
    let baseline_failing: BTreeSet<&FindingKey> =
        remembered.baseline.as_ref().map(Snapshot::failing).unwrap_or_default();
    let already_failing = |index: usize| baseline_failing.contains(&records[index].key);
    let outcome = Outcome::judge(
        &findings,
        !errors.is_empty(),
        |id| catalog[id].metadata.severity,
        gate,
        |index| evaluation.fail_on_new.is_some() && already_failing(index),
    );
    let old_failures = (0..records.len())
        .filter(|&index| findings[index].status == Status::Fail && !findings[index].muted && already_failing(index))
        .count();

    let finished_at = Timestamp::now().to_string();
    let new_snapshot =
        Snapshot { header: ScanHeader { finished_at: finished_at.clone(), ..header }, findings: records };
    let mut changes = remembered.baseline.as_ref().map(|baseline| history::compare(baseline, &new_snapshot));
    let mut trends = Vec::new();
    if let Some((store, id)) = remembered.recording() {
        let summary = serde_json::json!({
            "findings": findings.len(),
            "pass": findings.iter().filter(|f| f.status == Status::Pass).count(),
            "fail": findings.iter().filter(|f| f.status == Status::Fail).count(),
            "error": findings.iter().filter(|f| f.status == Status::Error).count(),
            "muted": findings.iter().filter(|f| f.muted).count(),
            "collection_errors": errors.len(),
        });
        let completed = store.complete(id, &finished_at, &summary).and_then(|()| store.trends(TREND_SCANS));
        match completed {
            Ok(found) => {
                trends = found;
                if let Some(changes) = changes.as_mut() {
                    changes.new.id = Some(id);
                    changes.new.label = format!("scan {id}");
                }
            }
            Err(err) => remembered.fail(err),
        }
    }
    drop(new_snapshot);

    let mut report_checks: Vec<_> = checks.iter().map(|check| assemble::check(&catalog[check.id])).collect();
    report_checks.sort_by(|a, b| a.id.cmp(&b.id));
    let has_history = changes.is_some() || !trends.is_empty();
    // Named by alias where there is one; an unreachable account by its id.
    let account_names = collection
        .inventory
        .accounts
        .values()
        .map(|account| (account.account_id.clone(), account.iam.alias().unwrap_or(&account.account_id).to_owned()))
        .collect();
    let report = Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at,
            finished_at,
            principal_arn: collection.principal_arn,
            accounts,
            account_names,
            regions: collection.regions,
            checks: check_ids,
            errors,
            mutelist: mutelist_summary.map(assemble::mutelist),
            stats: collection.stats,
            shard: collection.shard,
        },
        findings: findings
            .into_iter()
            .zip(failing_since)
            .map(|(finding, failing_since)| {
                let entry = &catalog[finding.check_id.as_str()];
                assemble::finding(finding, entry, failing_since)
            })
            .collect(),
        checks: report_checks,
        frameworks: frameworks.iter().map(assemble::framework).collect(),
        history: has_history.then_some(History { changes, trends }),
    };

    let written = write_reports(&report, &evaluation.output_formats, &evaluation.output_dir, &evaluation.output_name)?;
    progress.finish();
    if !evaluation.quiet {
        let fail_on = evaluation.fail_on_new.unwrap_or(evaluation.fail_on);
        eprintln!("{}", crate::progress::summary(&report, &written, fail_on, outcome));
        if let Some(baseline) = &remembered.baseline {
            eprintln!("{}", crate::progress::baseline_note(baseline, old_failures, evaluation.fail_on_new.is_some()));
        }
    }
    if stats_table {
        eprintln!("{}", crate::progress::call_stats(&report.scan.stats));
    }
    if let Some(problem) = remembered.problem {
        return Err(anyhow::Error::new(problem).context(format!(
            "the reports are written, but this scan is not recorded in the store {}",
            remembered.path.display()
        )));
    }
    Ok(outcome)
}

fn record(
    finding: &Finding,
    catalog: &BTreeMap<String, CatalogEntry>,
    states: &HashMap<FindingKey, PreviousState>,
    baseline_states: &HashMap<FindingKey, PreviousState>,
    started_at: &str,
) -> FindingRecord {
    let key = FindingKey {
        account_id: finding.account_id.clone(),
        region: finding.region.clone(),
        check_id: finding.check_id.clone(),
        resource_id: finding.resource_id.clone(),
        resource_arn: finding.resource_arn.clone(),
    };
    // The store reaches further back than a baseline report.
    let previous = states.get(&key).or_else(|| baseline_states.get(&key));
    FindingRecord {
        failing_since: history::failing_since(finding.status, previous, started_at),
        key,
        status: finding.status,
        severity: catalog[finding.check_id.as_str()].metadata.severity,
        muted: finding.muted,
        message: finding.message.clone(),
    }
}

/// Writes every format asked for; used by `scan`, `evaluate` and `merge`.
pub fn write_reports(
    report: &Report,
    output_formats: &[OutputFormat],
    output_dir: &Path,
    output_name: &str,
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let mut formats: Vec<report::Format> = output_formats.iter().map(|&format| format.into()).collect();
    formats.sort();
    formats.dedup();
    for format in formats {
        let files = format.render(report, output_name).with_context(|| format!("rendering the {format:?} report"))?;
        for (file, bytes) in files {
            let path = output_dir.join(file);
            write_atomically(&path, &bytes).with_context(|| format!("writing the report to {}", path.display()))?;
            written.push(path.display().to_string());
        }
    }
    Ok(written)
}

/// The filter stage: marks what the mutelist covers, in one place, after
/// evaluation. Muted findings stay in the report.
fn apply_mutelist(findings: &mut [Finding], mutelist: &Mutelist, today: Date) -> crate::mutelist::MutelistSummary {
    for finding in findings.iter_mut() {
        mutelist.apply(finding, today);
    }
    let summary = mutelist.summary(today);
    for expired in &summary.expired {
        tracing::warn!(
            account = %expired.account, check = %expired.check, expires = %expired.expires,
            "mutelist entry has expired and mutes nothing"
        );
    }
    summary
}

/// Every check's findings for every account, and the collection errors.
#[derive(Debug)]
struct Evaluated {
    findings: Vec<Finding>,
    errors: Vec<ScanError>,
}

fn evaluate(inventory: &Inventory, config: &Config, checks: &[&Check], started_at: Timestamp) -> Evaluated {
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for account in inventory.accounts.values() {
        // Checks judging recency measure from the start of the scan.
        let context = Context { account, config, now: started_at };
        for check in checks {
            findings.extend(check.run(&context));
        }
        errors.extend(account.errors().into_iter().map(|err| assemble::scan_error(&account.account_id, err)));
    }
    for account in &inventory.unreachable {
        for check in checks {
            findings.push(Finding {
                check_id: check.id.to_owned(),
                status: Status::Error,
                account_id: account.account_id.clone(),
                region: account.error.region.clone(),
                resource_id: account.account_id.clone(),
                resource_arn: format!("arn:{}:iam::{}:root", account.partition, account.account_id),
                message: format!("Could not evaluate: {}", account.error.message),
                resource_name: String::new(),
                resource_tags: Default::default(),
                resource_details: String::new(),
                muted: false,
                mute_reason: None,
            });
        }
        errors.push(assemble::scan_error(&account.account_id, &account.error));
    }
    errors.sort();
    errors.dedup();
    Evaluated { findings, errors }
}
