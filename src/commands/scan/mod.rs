//! `bulkhead scan`: plan and collect, then [`crate::pipeline`]
//! evaluates, filters, remembers and reports.

mod accounts;
mod output;

use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::time::Duration;

use anyhow::{Context as _, Result};
use futures::StreamExt as _;
use jiff::Timestamp;

use self::accounts::Accounts;
use super::interrupt::{self, Interrupted};
use crate::aws::chain;
use crate::aws::{CallGate, ConcurrencyLimits, Session, SessionOptions};
use crate::cli::ScanArgs;
use crate::discovery::Identity;
use crate::inventory::image_layers::LayerScan;
use crate::inventory::{self, AccountTarget, CollectContext, Inventory, Needs, RegionDone, UnreachableAccount};
use crate::model::ShardInfo;
use crate::outcome::Outcome;
use crate::pipeline::{
    Evaluator, Inputs, Memory, Recording, RunRecord, Settings, SinkSession, deliver, deliver_to_sinks, header,
};
use crate::plan::{self, RegionSelection};
use crate::progress::Progress;
use crate::report;
use crate::saved_inventory::SavedInventory;
use crate::shard::{self, FingerprintInputs, ShardFlags, ShardRun};
use crate::sinks::s3;
use crate::usage::UsageError;

/// The scan, or the signal that stopped it: the scan is dropped (an
/// account's open transaction rolls back, the progress line clears) and its
/// record in the store is ended `interrupted`.
pub async fn run(args: &ScanArgs) -> Result<Outcome> {
    let record = RunRecord::default();
    let signal = {
        // The whole scan is one chain of calls; the ledger measures how deep it runs.
        let scan = chain::branch(scan(args, record.clone()));
        tokio::select! {
            // A shard's verdict is the merge's: --exit-zero.
            result = scan => return result.map(|outcome| if args.sharding.exit_zero { Outcome::Passed } else { outcome }),
            signal = interrupt::stopped() => signal.context("listening for SIGINT and SIGTERM")?,
        }
    };
    Err(Interrupted::record(signal, &record).into())
}

async fn scan(args: &ScanArgs, record: RunRecord) -> Result<Outcome> {
    let started_at = Timestamp::now();
    let sharding = shard::resolve(&ShardFlags::from(&args.sharding), |name| std::env::var(name).ok())
        .map_err(|err| UsageError::new(err.to_string()))?;
    let mut settings = output::expand(&args.evaluation, sharding.as_ref())?.settings(args.stats);
    settings.sinks = args.sinks.sinks();
    // Everything the user gave is validated before the first AWS call.
    let inputs = Inputs::load(&args.selection.selection(), &settings)?;
    plan::check_region_selection(&region_selection(args)).map_err(UsageError::new)?;
    check_organization_selection(args)?;
    let gate = CallGate::new(ConcurrencyLimits {
        global: args.max_concurrency,
        per_endpoint: args.max_concurrency_per_endpoint.unwrap_or(args.max_concurrency),
    });
    let session = load_session(args, &gate).await?;
    // A store on S3 is read with the caller's own credentials, before the
    // baseline is looked for in it.
    let remote_store = match &settings.remote_store {
        Some(url) => Some(s3::download_store(&s3::client(&session), url, &settings.store_path()).await?),
        None => None,
    };
    let memory = Memory::open(&settings, Recording::ByDefault, record)?;
    let (caller, accounts) = accounts::prepare(&session, &gate, args, sharding.as_ref().map(|run| &run.shard)).await?;
    let shard = sharding.map(|run| shard_info(&run, accounts.listed.clone(), args, &inputs)).transpose()?;
    // Taken once the scan can start: a usage error leaves no folder behind.
    let _lock = settings.output.lock()?;
    let run = Run {
        args,
        settings: &settings,
        inputs: &inputs,
        gate: &gate,
        caller: &caller,
        started_at,
        shard,
        sinks: SinkSession { session: &session, store: remote_store },
    };
    run.collect_and_evaluate(accounts, memory).await
}

async fn load_session(args: &ScanArgs, gate: &CallGate) -> Result<Session> {
    let options = SessionOptions {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        retry_mode: args.retry_mode,
        max_attempts: args.max_attempts,
        connect_timeout: Duration::from_secs(args.connect_timeout),
        operation_timeout: Duration::from_secs(args.operation_timeout),
    };
    Session::load(&options, gate.ledger().clone()).await
}

/// A scan whose accounts are known, ready to collect them.
struct Run<'a> {
    args: &'a ScanArgs,
    settings: &'a Settings,
    inputs: &'a Inputs,
    gate: &'a CallGate,
    caller: &'a Identity,
    started_at: Timestamp,
    shard: Option<ShardInfo>,
    /// The caller's own session (never an audited account's role), for the sinks.
    sinks: SinkSession<'a>,
}

impl Run<'_> {
    /// Collects the accounts, as many at once as allowed, and evaluates each
    /// as soon as its inventory is complete.
    async fn collect_and_evaluate(self, accounts: Accounts, memory: Memory) -> Result<Outcome> {
        let (inputs, gate) = (self.inputs, self.gate);
        let needs = plan::needs(&inputs.checks);
        let regions = regions_of(&accounts);
        let progress = Progress::start(
            self.settings.quiet,
            accounts.ready.iter().map(|(target, _)| target.regions.len()).sum(),
            inputs.checks.len(),
        );
        let on_region_done = |region: &str| progress.region_done(region);
        // Accounts in flight at once: each is evaluated, written out and
        // dropped as soon as its inventory is complete.
        let in_flight =
            self.args.max_accounts_in_flight.map_or_else(|| default_accounts_in_flight(self.args), NonZeroUsize::get);
        let layers = &LayerScan::with_limits(&inputs.config.layers);
        let collected = chain::bounded(
            accounts.ready.iter().map(|(target, account_session)| {
                let (needs, on_region_done, checks) = (&needs, &on_region_done, inputs.checks.len());
                async move {
                    tracing::info!(account = %target.account_id, regions = target.regions.len(), checks, "collecting");
                    let account_gate = gate.for_account();
                    let context = CollectContext {
                        session: account_session,
                        gate: &account_gate,
                        needs,
                        layers,
                        on_region_done: Some(RegionDone(on_region_done)),
                    };
                    inventory::collect_account(&context, target).await
                }
            }),
            in_flight,
        );
        let Accounts { unreachable, organization_names, .. } = accounts;
        let header = self.header(&accounts_of(&accounts.ready, &unreachable), &regions);
        let mut evaluator = Evaluator::new(inputs, self.settings, memory, header, self.started_at)?;
        evaluator.name_accounts(organization_names.clone());
        match &self.args.save_inventory {
            Some(path) => {
                let mut inventory = Inventory { unreachable, organization_names, ..Inventory::default() };
                // A saved inventory is one file of every account: it is held whole.
                inventory.accounts = collected.map(|account| (account.account_id.clone(), account)).collect().await;
                progress.collected();
                let saved = self.save(path, inventory, regions.clone(), &needs)?;
                for account in saved.inventory.accounts.values() {
                    evaluator.account(account)?;
                }
                for account in &saved.inventory.unreachable {
                    evaluator.unreachable(account)?;
                }
            }
            None => {
                let mut collected = std::pin::pin!(collected);
                while let Some(account) = collected.next().await {
                    evaluator.account(&account)?;
                }
                for account in &unreachable {
                    evaluator.unreachable(account)?;
                }
                progress.collected();
            }
        }
        progress.evaluated();
        let stats = gate.ledger().stats();
        let mut finished = evaluator.finish(self.caller.arn.clone(), regions, stats, self.shard)?;
        // The units the accounts were selected by, for the report to say.
        if self.args.organization {
            finished.report.scan.organizational_units = self.args.organization_selection.organizational_units.clone();
        }
        if self.settings.sinks.any(self.settings) {
            deliver_to_sinks(finished, self.settings, &progress, self.sinks).await
        } else {
            deliver(finished, self.settings, &progress)
        }
    }

    fn header(&self, accounts: &[String], regions: &[String]) -> crate::history::ScanHeader {
        header(self.started_at, &self.caller.arn, accounts.to_vec(), regions.to_vec(), &self.inputs.checks)
    }

    /// `--save-inventory`: the whole collection written to `path`, for
    /// `bulkhead evaluate` to evaluate as this scan does.
    fn save(
        &self,
        path: &std::path::Path,
        inventory: Inventory,
        regions: Vec<String>,
        needs: &Needs,
    ) -> Result<SavedInventory> {
        let checks = self.inputs.checks.iter().map(|check| check.id.to_owned()).collect();
        let saved = SavedInventory::new(
            self.started_at,
            self.caller.arn.clone(),
            regions,
            checks,
            needs.iter().collect(),
            inventory,
        );
        saved.write(path)?;
        Ok(saved)
    }
}

/// Every account of the scan, ready or not, sorted.
fn accounts_of(ready: &[(AccountTarget, Session)], unreachable: &[UnreachableAccount]) -> Vec<String> {
    let accounts: BTreeSet<&String> = ready
        .iter()
        .map(|(target, _)| &target.account_id)
        .chain(unreachable.iter().map(|account| &account.account_id))
        .collect();
    accounts.into_iter().cloned().collect()
}

/// One account in flight per this many calls of the global limit: enough
/// to keep the calls busy while each account waits on its own chain of
/// dependent calls.
const CALLS_PER_ACCOUNT_IN_FLIGHT: usize = 8;

fn default_accounts_in_flight(args: &ScanArgs) -> usize {
    (args.max_concurrency.get() / CALLS_PER_ACCOUNT_IN_FLIGHT).max(1)
}

/// What a shard's report carries for `bulkhead merge`: `listed` is the
/// account list before it was cut.
fn shard_info(run: &ShardRun, mut listed: Vec<String>, args: &ScanArgs, inputs: &Inputs) -> Result<ShardInfo> {
    listed.sort();
    listed.dedup();
    let read = |path: &Option<std::path::PathBuf>| -> Result<Option<Vec<u8>>> {
        path.as_ref()
            .map(|path| {
                std::fs::read(path).with_context(|| format!("reading {} for the shard's fingerprint", path.display()))
            })
            .transpose()
    };
    let (config, mutelist) = (read(&args.evaluation.config)?, read(&args.evaluation.mutelist)?);
    let checks: Vec<&str> = inputs.checks.iter().map(|check| check.id).collect();
    let fingerprint = shard::fingerprint(&FingerprintInputs {
        tool_version: env!("CARGO_PKG_VERSION"),
        schema_version: report::json::SCHEMA_VERSION,
        checks: &checks,
        regions: args.regions.as_deref(),
        exclude_regions: &args.exclude_regions,
        shard_count: run.shard.count,
        accounts: &listed,
        config: config.as_deref(),
        mutelist: mutelist.as_deref(),
    });
    Ok(ShardInfo {
        index: run.shard.index,
        count: run.shard.count,
        run_id: run.run_id.clone(),
        fingerprint,
        accounts_listed: listed.len() as u64,
    })
}

/// clap's `requires = "organization"` lets these through with --accounts,
/// which conflicts with --organization: clap excuses a required argument
/// that conflicts with one given.
fn check_organization_selection(args: &ScanArgs) -> Result<(), UsageError> {
    let selection = &args.organization_selection;
    if !args.organization && (selection.organizational_units.is_some() || !selection.exclude_accounts.is_empty()) {
        return Err(UsageError::new("--organizational-units and --exclude-accounts need --organization".to_owned()));
    }
    Ok(())
}

pub(super) fn region_selection(args: &ScanArgs) -> RegionSelection {
    RegionSelection { include: args.regions.clone(), exclude: args.exclude_regions.clone() }
}

/// Every region of the reachable accounts, once each, in order.
fn regions_of(accounts: &Accounts) -> Vec<String> {
    accounts
        .ready
        .iter()
        .flat_map(|(target, _)| target.regions.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
