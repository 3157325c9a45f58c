//! Drives the chain of consumers: each account's inventory is evaluated as
//! soon as it is complete, its findings are taken one check at a time (so
//! that memory holds one check's findings, not the account's) and each
//! passes every consumer before the next is made.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use jiff::Timestamp;

use super::chain::{AccountFacts, Chain, Ending};
use super::comparison::Comparison;
use super::finish::Finished;
use super::gate::Gatekeeper;
use super::memory::{Baseline, Memory};
use super::mute::Mute;
use super::recorder::Recorder;
use super::spill::Spill;
use super::{AccountBaseline, AccountScope, Inputs, Settings};
use crate::assemble;
use crate::checks::{Check, Context, Finding};
use crate::history::ScanHeader;
use crate::inventory::{AccountInventory, Inventory, ResourceKind, UnreachableAccount};
use crate::model::{CallStats, ReportFinding, ScanError, ShardInfo, Tally, UnavailableFeature, VulnerableImage};
use crate::mutelist::Date;
use crate::progress::Progress;
use crate::severity::Status;

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

/// Evaluates, filters, remembers and writes a whole inventory held in
/// memory (a saved inventory, or a scan that saves its inventory); returns
/// the exit outcome.
pub fn evaluate_whole(
    inputs: &Inputs,
    collection: Collection,
    settings: &Settings,
    memory: Memory,
    progress: &Progress,
) -> Result<crate::outcome::Outcome> {
    let inventory = &collection.inventory;
    let accounts: BTreeSet<String> = inventory
        .accounts
        .keys()
        .chain(inventory.unreachable.iter().map(|account| &account.account_id))
        .cloned()
        .collect();
    let header = header(
        collection.started_at,
        &collection.principal_arn,
        accounts.into_iter().collect(),
        collection.regions.clone(),
        &inputs.checks,
    );
    let mut evaluator = Evaluator::new(inputs, settings, memory, header, collection.started_at)?;
    evaluator.name_accounts(inventory.organization_names.clone());
    for account in inventory.accounts.values() {
        evaluator.account(account)?;
    }
    for account in &inventory.unreachable {
        evaluator.unreachable(account)?;
    }
    progress.evaluated();
    let finished =
        evaluator.finish(collection.principal_arn, collection.regions, collection.stats, collection.shard)?;
    super::deliver(finished, settings, progress)
}

/// What [`Evaluator::carry`] takes from runs that judged findings elsewhere.
#[derive(Debug, Default)]
pub struct Carried {
    pub errors: Vec<ScanError>,
    pub unavailable: Vec<UnavailableFeature>,
    pub names: BTreeMap<String, String>,
    pub vulnerable: Option<Vec<VulnerableImage>>,
}

/// Everything after collection, one account at a time.
#[derive(Debug)]
pub struct Evaluator<'a> {
    pub(super) inputs: &'a Inputs,
    pub(super) header: ScanHeader,
    started_at: Timestamp,
    pub(super) chain: Chain<'a>,
    pub(super) baseline: Option<Baseline>,
    pub(super) facts: AccountFacts,
    pub(super) run: super::memory::RunRecord,
}

impl<'a> Evaluator<'a> {
    /// Begins recording the scan `header` describes.
    pub fn new(
        inputs: &'a Inputs,
        settings: &'a Settings,
        memory: Memory,
        header: ScanHeader,
        started_at: Timestamp,
    ) -> Result<Evaluator<'a>> {
        let begun = memory.begin(&header, &inputs.selection);
        let chain = Chain {
            mute: Mute::new(inputs.mutelist.as_ref(), Date::today()),
            recorder: Recorder::new(begun.store, begun.problem, begun.path, header.started_at.clone()),
            comparison: Comparison::new(begun.baseline.as_ref().map(Baseline::header), &header),
            gatekeeper: Gatekeeper::new(settings.effective_gate(), settings.fail_on_new.is_some()),
            tally: Tally::default(),
            spill: Spill::create_in(&settings.output.dir)?,
        };
        let reads_vulnerabilities =
            inputs.checks.iter().any(|check| check.needs().contains(&ResourceKind::ImageVulnerabilities));
        let facts = AccountFacts { vulnerable: reads_vulnerabilities.then(Vec::new), ..AccountFacts::default() };
        Ok(Evaluator { inputs, header, started_at, chain, baseline: begun.baseline, facts, run: begun.run })
    }

    /// The accounts' names in AWS Organizations, where a fleet scan found
    /// them: they name the accounts in the reports before IAM aliases.
    pub fn name_accounts(&mut self, organization_names: BTreeMap<String, String>) {
        self.facts.organization_names =
            organization_names.into_iter().filter(|(_, name)| !name.trim().is_empty()).collect();
    }

    /// One collected account.
    pub fn account(&mut self, account: &AccountInventory) -> Result<()> {
        let inputs = self.inputs;
        // Checks judging recency measure from the start of the scan.
        let context = Context { account, config: &inputs.config, now: self.started_at };
        if let Some(vulnerable) = &mut self.facts.vulnerable {
            vulnerable.extend(crate::prioritise::vulnerable_images(account));
        }
        let errors = account.errors().into_iter().map(|err| assemble::scan_error(&account.account_id, err));
        self.facts.errors.extend(errors);
        let unavailable =
            account.features_off().into_iter().map(|off| assemble::unavailable_feature(&account.account_id, off));
        self.facts.unavailable.extend(unavailable);
        // Named by the name Organizations gives the account (what people
        // call it across the fleet), else by its IAM alias, else by its id.
        let name = self
            .facts
            .organization_names
            .get(&account.account_id)
            .map(String::as_str)
            .or(account.iam.alias())
            .unwrap_or(&account.account_id)
            .to_owned();
        self.facts.names.insert(account.account_id.clone(), name);
        // Lazy: one check's findings at a time.
        let findings = inputs.checks.iter().flat_map(|check| check.run(&context));
        self.run(&account.account_id, findings)
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
            })
            .collect();
        self.facts.errors.push(assemble::scan_error(&account.account_id, &account.error));
        // An unreachable account keeps its Organizations name.
        if let Some(name) = self.facts.organization_names.get(&account.account_id) {
            self.facts.names.insert(account.account_id.clone(), name.clone());
        }
        self.run(&account.account_id, findings.into_iter())
    }

    /// One account's findings as another run judged them (a shard of a
    /// merged scan): muted and dated there, then recorded, compared and
    /// counted here as this run's own.
    pub fn judged_account(&mut self, account_id: &str, findings: impl Iterator<Item = ReportFinding>) -> Result<()> {
        let baseline = self.account_baseline(account_id);
        let scope = AccountScope { account_id, baseline: baseline.as_ref() };
        self.chain.account(&scope, findings)
    }

    /// What the runs that judged the findings found besides them: their
    /// collection errors (which make the scan incomplete), the features
    /// regions do not offer, the accounts' names and the vulnerable images.
    pub fn carry(&mut self, carried: Carried) {
        self.facts.errors.extend(carried.errors);
        self.facts.unavailable.extend(carried.unavailable);
        self.facts.names.extend(carried.names);
        self.facts.vulnerable = carried.vulnerable;
    }

    /// The account's findings, joined with their check's metadata, through
    /// the chain.
    fn run(&mut self, account_id: &str, findings: impl Iterator<Item = Finding>) -> Result<()> {
        let baseline = self.account_baseline(account_id);
        let scope = AccountScope { account_id, baseline: baseline.as_ref() };
        let catalog = &self.inputs.catalog;
        let report_findings = findings.map(|finding| {
            let entry = &catalog[finding.check_id.as_str()];
            assemble::finding(finding, entry, None)
        });
        self.chain.account(&scope, report_findings)
    }

    /// The baseline's findings of the account. One that cannot be read
    /// ends the comparison (nothing of this scan can be called new or old
    /// any more) and the recording: the scan goes on.
    fn account_baseline(&mut self, account_id: &str) -> Option<AccountBaseline> {
        match self.baseline.as_ref()?.of_account(account_id) {
            Ok(baseline) => Some(baseline),
            Err(err) => {
                tracing::warn!(account = account_id, error = %err, "could not read the baseline's findings");
                self.chain.recorder.fail(err);
                self.chain.comparison.abandon();
                self.baseline = None;
                None
            }
        }
    }

    /// Completes the record and builds the report from what the consumers made.
    pub fn finish(
        self,
        principal_arn: String,
        regions: Vec<String>,
        stats: CallStats,
        shard: Option<ShardInfo>,
    ) -> Result<Finished> {
        let Evaluator { inputs, header, chain, baseline, facts, run, .. } = self;
        let ending = Ending { inputs, header, chain, baseline, facts, run };
        super::finish::finish(ending, principal_arn, regions, stats, shard)
    }
}
