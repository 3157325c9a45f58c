//! Everything after collection, shared by `scan` and `evaluate`: evaluate
//! the checks, apply the mutelist, date and record the findings in the scan
//! store, compare with the baseline, judge the exit code, build the report
//! model and write every format.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::assemble;
use crate::checks::metadata::{CatalogEntry, Framework, catalog, frameworks};
use crate::checks::{Check, Context, Finding};
use crate::cli::{EvaluationArgs, SelectionArgs};
use crate::config::{Config, ConfigError};
use crate::history::{
    self, FindingKey, FindingRecord, PreviousState, ScanHeader, ScanRef, Snapshot, SnapshotError, Store, StoreError,
};
use crate::inventory::{AccountInventory, Inventory, ResourceKind, UnreachableAccount};
use crate::model::VulnerableImage;
use crate::model::{CallStats, Changes, History, Report, ScanError, ScanSummary, ShardInfo, SpillWriter, Tally, Tool};
use crate::mutelist::{Date, Mutelist, MutelistError};
use crate::outcome::{Gate, Outcome, Verdict};
use crate::plan::{self, CheckSelection, PlanError};
use crate::report;
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
    baseline: Option<Baseline>,
    path: PathBuf,
    /// No store yet: it is created when the scan begins, so a scan that
    /// cannot start (no credentials, say) leaves no empty store behind.
    create_at_begin: bool,
}

/// The scan this one is compared with.
#[derive(Debug)]
enum Baseline {
    /// A stored scan, read account by account as accounts are evaluated,
    /// through a connection of its own.
    Stored { header: ScanHeader, store: Store },
    /// A JSON report, read whole.
    Report(Snapshot),
}

impl Baseline {
    fn header(&self) -> &ScanHeader {
        match self {
            Baseline::Stored { header, .. } => header,
            Baseline::Report(snapshot) => &snapshot.header,
        }
    }

    fn of_account(&self, account_id: &str) -> Result<Snapshot, StoreError> {
        match self {
            Baseline::Stored { header, store } => store.account_snapshot(header, account_id),
            Baseline::Report(snapshot) => Ok(snapshot.of_account(account_id)),
        }
    }
}

pub fn store_path(evaluation: &EvaluationArgs) -> PathBuf {
    evaluation.store.clone().unwrap_or_else(|| evaluation.output_dir.join("bulkhead.db"))
}

impl Remembered {
    /// Opens the store and finds the baseline. A baseline that was asked
    /// for and cannot be read is a usage error; a store that cannot be
    /// opened for recording is reported after the reports are written.
    pub fn open(evaluation: &EvaluationArgs, recording: Recording) -> Result<Remembered, UsageError> {
        let path = store_path(evaluation);
        let record = !evaluation.no_store && (recording == Recording::ByDefault || evaluation.store.is_some());
        let create_at_begin = record && !path.exists();
        let (store, problem) = if record && !create_at_begin {
            match Store::open_or_create(&path) {
                Ok(store) => (Some(store), None),
                Err(err) => (None, Some(err)),
            }
        } else {
            (None, None)
        };
        let baseline_path = path.clone();
        let stored = move |id: Option<i64>| -> Result<Baseline, StoreError> {
            let store = Store::open_existing(&baseline_path)?;
            let header = store.header(store.resolve(id)?)?;
            Ok(Baseline::Stored { header, store })
        };
        let baseline = match &evaluation.baseline {
            Some(ScanRef::Report(report)) => Some(Baseline::Report(history::read_report(report)?)),
            Some(reference) => Some(stored(reference.store_id()).map_err(UsageError::BaselineStore)?),
            None => None,
        };
        let mut remembered = Remembered { store, scan_id: None, problem, baseline, path, create_at_begin };
        // Without --baseline, the store's latest scan, if there is one. A
        // store that cannot give it back is reported like any store error,
        // not taken for a store without history.
        if evaluation.baseline.is_none()
            && let Some(store) = &remembered.store
        {
            match store.latest(None).and_then(|latest| latest.map(|id| stored(Some(id))).transpose()) {
                Ok(latest) => remembered.baseline = latest,
                Err(err) => remembered.fail(err),
            }
        }
        Ok(remembered)
    }

    /// Starts recording this scan: from here on, a scan that dies leaves a
    /// `running` row that nobody reads.
    fn begin(&mut self, header: &ScanHeader, selection: &serde_json::Value) {
        if std::mem::take(&mut self.create_at_begin) {
            match Store::open_or_create(&self.path) {
                Ok(store) => self.store = Some(store),
                Err(err) => self.fail(err),
            }
        }
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

/// Evaluates, filters, remembers and reports a whole inventory in memory
/// (a saved inventory, or a scan that saves its inventory); returns the
/// exit outcome.
pub fn finish(
    inputs: &Inputs,
    collection: Collection,
    evaluation: &EvaluationArgs,
    remembered: Remembered,
    progress: &crate::progress::Progress,
    stats_table: bool,
) -> Result<Outcome> {
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
        header(collection.started_at, &collection.principal_arn, accounts, collection.regions.clone(), &inputs.checks);
    let mut evaluator = Evaluator::new(inputs, evaluation, remembered, header, collection.started_at)?;
    evaluator.name_accounts(collection.inventory.organization_names.clone());
    for account in collection.inventory.accounts.values() {
        evaluator.account(account)?;
    }
    for account in &collection.inventory.unreachable {
        evaluator.unreachable(account)?;
    }
    progress.evaluated();
    evaluator.finish(
        &collection.principal_arn,
        collection.regions,
        collection.stats,
        collection.shard,
        progress,
        stats_table,
    )
}

/// Everything after collection, one account at a time: each account's
/// inventory is evaluated as soon as it is complete; its findings are
/// muted, dated, recorded in the store, judged, compared with the baseline
/// and spilled to disk before the next account's. What stays in memory
/// grows with the fleet only by account ids and names, collection errors
/// and the changes since the baseline, never by findings or inventories.
#[derive(Debug)]
pub struct Evaluator<'a> {
    inputs: &'a Inputs,
    evaluation: &'a EvaluationArgs,
    remembered: Remembered,
    header: ScanHeader,
    started_at: Timestamp,
    today: Date,
    gate: Gate,
    spill: SpillWriter,
    errors: Vec<ScanError>,
    account_names: BTreeMap<String, String>,
    /// Names from AWS Organizations, for a fleet scan.
    organization_names: BTreeMap<String, String>,
    tally: Tally,
    verdict: Verdict,
    /// Unmuted FAILs that were already failing in the baseline.
    old_failures: usize,
    changes: Option<Changes>,
    /// The images with scan findings, when a selected check reads them.
    vulnerable: Option<Vec<VulnerableImage>>,
}

impl<'a> Evaluator<'a> {
    /// Begins recording the scan `header` describes.
    pub fn new(
        inputs: &'a Inputs,
        evaluation: &'a EvaluationArgs,
        mut remembered: Remembered,
        header: ScanHeader,
        started_at: Timestamp,
    ) -> Result<Evaluator<'a>> {
        remembered.begin(&header, &inputs.selection);
        let spill = SpillWriter::create_in(&evaluation.output_dir)
            .with_context(|| format!("creating the findings' temporary file in {}", evaluation.output_dir.display()))?;
        let changes = remembered.baseline.as_ref().map(|baseline| {
            let empty = |header: &ScanHeader| Snapshot { header: header.clone(), findings: Vec::new() };
            history::compare(&empty(baseline.header()), &empty(&header))
        });
        Ok(Evaluator {
            inputs,
            evaluation,
            remembered,
            header,
            started_at,
            today: Date::today(),
            gate: Gate {
                fail_on: evaluation.fail_on_new.unwrap_or(evaluation.fail_on),
                allow_errors: evaluation.allow_errors,
            },
            spill,
            errors: Vec::new(),
            account_names: BTreeMap::new(),
            organization_names: BTreeMap::new(),
            tally: Tally::default(),
            verdict: Verdict::default(),
            old_failures: 0,
            changes,
            vulnerable: inputs
                .checks
                .iter()
                .any(|check| check.needs().contains(&ResourceKind::ImageVulnerabilities))
                .then(Vec::new),
        })
    }

    /// The accounts' names in AWS Organizations, where a fleet scan found
    /// them: they name the accounts in the reports before IAM aliases.
    pub fn name_accounts(&mut self, organization_names: BTreeMap<String, String>) {
        self.organization_names = organization_names.into_iter().filter(|(_, name)| !name.trim().is_empty()).collect();
    }

    /// One collected account.
    pub fn account(&mut self, account: &AccountInventory) -> Result<()> {
        // Checks judging recency measure from the start of the scan.
        let inputs = self.inputs;
        let context = Context { account, config: &inputs.config, now: self.started_at };
        // Lazy: one check's findings at a time (see `judge_and_write`).
        let findings = inputs.checks.iter().flat_map(|check| check.run(&context));
        if let Some(vulnerable) = &mut self.vulnerable {
            vulnerable.extend(crate::prioritise::vulnerable_images(account));
        }
        self.errors.extend(account.errors().into_iter().map(|err| assemble::scan_error(&account.account_id, err)));
        // Named by the name Organizations gives the account (what people
        // call it across the fleet), else by its IAM alias, else by its id.
        let name = self
            .organization_names
            .get(&account.account_id)
            .map(String::as_str)
            .or(account.iam.alias())
            .unwrap_or(&account.account_id)
            .to_owned();
        self.account_names.insert(account.account_id.clone(), name);
        self.judge_and_write(&account.account_id, findings)
    }

    /// An account that could not be reached: ERROR for every check.
    pub fn unreachable(&mut self, account: &UnreachableAccount) -> Result<()> {
        let findings: Vec<Finding> = self
            .inputs
            .checks
            .iter()
            .map(|check| Finding {
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
            })
            .collect();
        self.errors.push(assemble::scan_error(&account.account_id, &account.error));
        // An unreachable account keeps its Organizations name.
        if let Some(name) = self.organization_names.get(&account.account_id) {
            self.account_names.insert(account.account_id.clone(), name.clone());
        }
        self.judge_and_write(&account.account_id, findings.into_iter())
    }

    /// Takes the account's findings one at a time, as the checks produce
    /// them: each is muted, dated, recorded, judged and spilled before the
    /// next, so that memory holds one check's findings rather than the
    /// account's (83,742 at the benchmark's largest point).
    fn judge_and_write(&mut self, account_id: &str, findings: impl Iterator<Item = Finding>) -> Result<()> {
        let inputs = self.inputs;
        let states = match self.remembered.recording() {
            Some((store, id)) => match store.previous_states(account_id, id) {
                Ok(states) => states,
                Err(err) => {
                    self.remembered.fail(err);
                    HashMap::new()
                }
            },
            None => HashMap::new(),
        };
        let baseline = match self.remembered.baseline.as_ref().map(|baseline| baseline.of_account(account_id)) {
            Some(Ok(snapshot)) => Some(snapshot),
            Some(Err(err)) => {
                // Without the baseline's findings nothing of this scan can be
                // called new or old: the comparison stops, the scan goes on.
                tracing::warn!(account = account_id, error = %err, "could not read the baseline's findings");
                self.remembered.fail(err);
                self.remembered.baseline = None;
                self.changes = None;
                None
            }
            None => None,
        };
        let baseline_states = baseline.as_ref().map(Snapshot::previous_states).unwrap_or_default();
        let failing_before: BTreeSet<&FindingKey> = baseline.as_ref().map(Snapshot::failing).unwrap_or_default();
        // The comparison with the baseline needs the account's whole record;
        // without a baseline no record outlives its finding.
        let mut compared: Option<Vec<FindingRecord>> = (self.changes.is_some() && baseline.is_some()).then(Vec::new);
        let started_at = self.header.started_at.clone();
        let (today, gate, fail_on_new) = (self.today, self.gate, self.evaluation.fail_on_new.is_some());

        let mut store_problem = None;
        let mut batch = match self.remembered.recording().map(|(store, id)| store.batch(id)) {
            Some(Ok(batch)) => Some(batch),
            Some(Err(err)) => {
                store_problem = Some(err);
                None
            }
            None => None,
        };
        let (verdict, tally, old_failures) = (&mut self.verdict, &mut self.tally, &mut self.old_failures);
        let report_findings = findings.map(|mut finding| {
            if let Some(mutelist) = &inputs.mutelist {
                mutelist.apply(&mut finding, today);
            }
            let record = record(&finding, &inputs.catalog, &states, &baseline_states, &started_at);
            if let Some(err) = batch.as_ref().and_then(|batch| batch.add(&record).err()) {
                // Dropping the batch rolls the account's rows back.
                store_problem = Some(err);
                batch = None;
            }
            let already_failing = failing_before.contains(&record.key);
            verdict.add(finding.status, finding.muted, record.severity, fail_on_new && already_failing, gate);
            if finding.status == Status::Fail && !finding.muted && already_failing {
                *old_failures += 1;
            }
            let failing_since = record.failing_since.clone();
            if let Some(compared) = &mut compared {
                compared.push(record);
            }
            let entry = &inputs.catalog[finding.check_id.as_str()];
            let assembled = assemble::finding(finding, entry, failing_since);
            tally.add(&assembled);
            assembled
        });
        self.spill.add_account(account_id, report_findings).context("writing findings to their temporary file")?;
        if let Some(Err(err)) = batch.map(|batch| batch.commit()) {
            store_problem = Some(err);
        }
        if let Some(err) = store_problem {
            self.remembered.fail(err);
        }

        drop(failing_before);
        if let (Some(total), Some(baseline), Some(records)) = (self.changes.as_mut(), &baseline, compared) {
            let new = Snapshot { header: self.header.clone(), findings: records };
            history::absorb(total, history::compare(baseline, &new));
        }
        Ok(())
    }

    /// Completes the record, assembles the report and writes every format.
    pub fn finish(
        mut self,
        principal_arn: &str,
        regions: Vec<String>,
        stats: CallStats,
        shard: Option<ShardInfo>,
        progress: &crate::progress::Progress,
        stats_table: bool,
    ) -> Result<Outcome> {
        let Inputs { mutelist, catalog, frameworks, checks, .. } = self.inputs;
        let evaluation = self.evaluation;
        self.errors.sort();
        self.errors.dedup();
        if !self.errors.is_empty() {
            self.verdict.collection_failed();
        }
        let outcome = self.verdict.outcome(self.gate);
        let mutelist_summary = mutelist.as_ref().map(|mutelist| {
            let summary = mutelist.summary(self.today);
            for expired in &summary.expired {
                tracing::warn!(
                    account = %expired.account, check = %expired.check, expires = %expired.expires,
                    "mutelist entry has expired and mutes nothing"
                );
            }
            summary
        });

        let finished_at = Timestamp::now().to_string();
        let mut changes = self.changes.take();
        if let Some(changes) = changes.as_mut() {
            history::order(changes);
        }
        let mut trends = Vec::new();
        let counts = &self.tally.total;
        let collection_errors = self.errors.len();
        if let Some((store, id)) = self.remembered.recording() {
            let summary = serde_json::json!({
                "findings": counts.findings(),
                "pass": counts.of_status(Status::Pass),
                "fail": counts.of_status(Status::Fail),
                "error": counts.of_status(Status::Error),
                "muted": counts.muted(),
                "collection_errors": collection_errors,
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
                Err(err) => self.remembered.fail(err),
            }
        }

        let mut report_checks: Vec<_> = checks.iter().map(|check| assemble::check(&catalog[check.id])).collect();
        report_checks.sort_by(|a, b| a.id.cmp(&b.id));
        let has_history = changes.is_some() || !trends.is_empty();
        let findings = self.spill.finish().context("reading back the findings' temporary file")?;
        let header = self.header;
        let report = Report {
            tool: Tool::this(),
            scan: ScanSummary {
                started_at: header.started_at,
                finished_at,
                principal_arn: principal_arn.to_owned(),
                accounts: header.accounts,
                account_names: self.account_names,
                regions,
                checks: header.checks,
                errors: self.errors,
                mutelist: mutelist_summary,
                stats,
                shard,
            },
            findings,
            checks: report_checks,
            frameworks: frameworks.iter().map(assemble::framework).collect(),
            history: has_history.then_some(History { changes, trends }),
            vulnerabilities: self.vulnerable.map(|mut images| {
                VulnerableImage::rank_all(&mut images);
                images
            }),
            tally: self.tally,
        };

        let written = report::write_reports(
            &report,
            &evaluation.output_formats,
            &evaluation.output_dir,
            &evaluation.output_name,
        )?;
        progress.finish();
        if !evaluation.quiet {
            let fail_on = evaluation.fail_on_new.unwrap_or(evaluation.fail_on);
            eprintln!("{}", crate::progress::summary(&report, &written, fail_on, outcome));
            if let Some(baseline) = &self.remembered.baseline {
                eprintln!(
                    "{}",
                    crate::progress::baseline_note(
                        baseline.header(),
                        self.old_failures,
                        evaluation.fail_on_new.is_some()
                    )
                );
            }
        }
        if stats_table {
            eprintln!("{}", crate::progress::call_stats(&report.scan.stats));
        }
        if let Some(problem) = self.remembered.problem {
            return Err(anyhow::Error::new(problem).context(format!(
                "the reports are written, but this scan is not recorded in the store {}",
                self.remembered.path.display()
            )));
        }
        Ok(outcome)
    }
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
