//! `bulkhead scan`: plan and collect, then [`crate::evaluation::finish`]
//! evaluates, filters, remembers and reports.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::time::Duration;

use anyhow::{Context as _, Result};
use futures::StreamExt as _;
use jiff::Timestamp;

use crate::aws::chain::{self, join_all};
use crate::aws::{CallGate, CollectError, ConcurrencyLimits, ErrorKind, RoleSession, Service, Session, SessionOptions};
use crate::cli::ScanArgs;
use crate::discovery::{self, Identity, caller_identity};
use crate::evaluation::{Collection, Evaluator, Inputs, Recording, Remembered, finish, header};
use crate::inventory::{self, AccountTarget, CollectContext, Inventory, RegionDone, UnreachableAccount, ec2};
use crate::model::ShardInfo;
use crate::outcome::Outcome;
use crate::plan::{self, RegionSelection};
use crate::progress::Progress;
use crate::report;
use crate::saved_inventory::SavedInventory;
use crate::shard::{self, FingerprintInputs, Shard, ShardFlags, ShardRun};

pub use crate::evaluation::UsageError;

pub async fn run(args: &ScanArgs) -> Result<Outcome> {
    // The whole scan is one chain of calls; the ledger measures how deep it runs.
    chain::branch(scan(args)).await
}

async fn scan(args: &ScanArgs) -> Result<Outcome> {
    let started_at = Timestamp::now();
    // Everything the user gave is validated before the first AWS call.
    let inputs = Inputs::load(&args.selection, &args.evaluation)?;
    plan::check_region_selection(&region_selection(args)).map_err(UsageError::Plan)?;
    check_organization_selection(args)?;
    let sharding = shard::resolve(&ShardFlags::from(&args.sharding), |name| std::env::var(name).ok())
        .map_err(|err| UsageError::Other(err.to_string()))?;
    let remembered = Remembered::open(&args.evaluation, Recording::ByDefault)?;

    let gate = CallGate::new(ConcurrencyLimits {
        global: args.max_concurrency,
        per_endpoint: args.max_concurrency_per_endpoint,
    });
    let session = Session::load(
        &SessionOptions {
            profile: args.profile.clone(),
            region: args.region.clone(),
            endpoint_url: args.endpoint_url.clone(),
            retry_mode: args.retry_mode,
            max_attempts: args.max_attempts,
            connect_timeout: Duration::from_secs(args.connect_timeout),
            operation_timeout: Duration::from_secs(args.operation_timeout),
        },
        gate.ledger().clone(),
    )
    .await;

    let caller = caller_identity(&session, &gate).await?;
    let (ready, unreachable, organization_names, listed) =
        prepare_accounts(&session, &gate, &caller, args, sharding.as_ref().map(|run| &run.shard)).await?;
    let shard = sharding.map(|run| shard_info(&run, listed, args, &inputs)).transpose()?;
    let needs = plan::needs(&inputs.checks);
    let accounts: BTreeSet<String> = ready
        .iter()
        .map(|(target, _)| target.account_id.clone())
        .chain(unreachable.iter().map(|account| account.account_id.clone()))
        .collect();
    let regions: Vec<String> = ready
        .iter()
        .flat_map(|(target, _)| target.regions.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let header = header(started_at, &caller.arn, accounts.into_iter().collect(), regions.clone(), &inputs.checks);
    let progress = Progress::start(
        args.evaluation.quiet,
        ready.iter().map(|(target, _)| target.regions.len()).sum(),
        inputs.checks.len(),
    );
    let on_region_done = |region: &str| progress.region_done(region);
    // Accounts in flight at once: each is evaluated, written out and
    // dropped as soon as its inventory is complete.
    let in_flight = args.max_accounts_in_flight.map_or_else(|| default_accounts_in_flight(args), NonZeroUsize::get);
    let mut collected = chain::bounded(
        ready.iter().map(|(target, account_session)| {
            let (gate, needs, on_region_done, checks) = (&gate, &needs, &on_region_done, inputs.checks.len());
            async move {
                tracing::info!(account = %target.account_id, regions = target.regions.len(), checks, "collecting");
                let account_gate = gate.for_account();
                let context = CollectContext {
                    session: account_session,
                    gate: &account_gate,
                    needs,
                    on_region_done: Some(RegionDone(on_region_done)),
                };
                inventory::collect_account(&context, target).await
            }
        }),
        in_flight,
    );

    if let Some(path) = &args.save_inventory {
        // A saved inventory is one file of every account: it is held whole.
        let mut inventory = Inventory { unreachable, organization_names, ..Inventory::default() };
        while let Some(account) = collected.next().await {
            inventory.accounts.insert(account.account_id.clone(), account);
        }
        drop(collected);
        progress.collected();
        let saved = SavedInventory::new(
            started_at,
            caller.arn.clone(),
            regions.clone(),
            inputs.checks.iter().map(|check| check.id.to_owned()).collect(),
            needs.iter().collect(),
            inventory,
        );
        saved.write(path)?;
        let collection = Collection {
            started_at,
            principal_arn: caller.arn.clone(),
            regions,
            inventory: saved.inventory,
            stats: gate.ledger().stats(),
            shard,
        };
        return finish(&inputs, collection, &args.evaluation, remembered, &progress, args.stats);
    }

    let mut evaluator = Evaluator::new(&inputs, &args.evaluation, remembered, header, started_at)?;
    evaluator.name_accounts(organization_names);
    while let Some(account) = collected.next().await {
        evaluator.account(&account)?;
    }
    drop(collected);
    for account in &unreachable {
        evaluator.unreachable(account)?;
    }
    progress.collected();
    progress.evaluated();
    evaluator.finish(&caller.arn, regions, gate.ledger().stats(), shard, &progress, args.stats)
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

/// The accounts ready to collect, those that cannot be, their names in
/// Organizations, and the account list before a shard cut it.
type Prepared = (Vec<(AccountTarget, Session)>, Vec<UnreachableAccount>, BTreeMap<String, String>, Vec<String>);

/// Without --accounts or --organization, the credentials' own account,
/// whose failures are fatal. With either, each account through its role
/// (the caller's own account in an --organization scan with its own
/// credentials), and one that fails is reported as ERROR while the others
/// are scanned.
async fn prepare_accounts(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    args: &ScanArgs,
    shard: Option<&Shard>,
) -> Result<Prepared> {
    let (through_role, own, names) = if args.organization {
        let selection = discovery::Selection {
            units: args.organization_selection.organizational_units.as_deref(),
            exclude: &args.organization_selection.exclude_accounts,
        };
        let found = discovery::fleet(session, gate, caller, &selection).await?;
        if found.is_empty() {
            return Err(UsageError::Other(
                "--organization: no account is left to scan once --exclude-accounts is applied".to_owned(),
            )
            .into());
        }
        tracing::info!(accounts = found.len(), "found the organization's active accounts");
        let names: BTreeMap<String, String> =
            found.iter().filter_map(|account| Some((account.account_id.clone(), account.name.clone()?))).collect();
        let own = found.iter().any(|account| account.account_id == caller.account_id);
        let others = found.into_iter().map(|account| account.account_id).filter(|id| id != &caller.account_id);
        (others.collect(), own, names)
    } else if let Some(accounts) = &args.accounts {
        (accounts.clone(), false, BTreeMap::new())
    } else {
        // The credentials' own account is a list of one: one shard scans
        // it, the others nothing.
        let listed = vec![caller.account_id.clone()];
        if shard.is_some_and(|shard| !shard.owns(&caller.account_id)) {
            return Ok((Vec::new(), Vec::new(), BTreeMap::new(), listed));
        }
        let regions = scan_regions(session, gate, &caller.partition, args).await?;
        let target =
            AccountTarget { account_id: caller.account_id.clone(), partition: caller.partition.clone(), regions };
        return Ok((vec![(target, session.clone())], Vec::new(), BTreeMap::new(), listed));
    };
    let listed: Vec<String> = through_role.iter().cloned().chain(own.then(|| caller.account_id.clone())).collect();
    // The one place the list is cut, before any role is assumed.
    let through_role = shard::select(through_role, shard);
    let own = own && shard.is_none_or(|shard| shard.owns(&caller.account_id));
    let role_name =
        args.role.role_name.as_deref().expect("clap requires --role-name with --accounts and --organization");
    let role = RoleSession {
        session_name: args.role.role_session_name.clone(),
        external_id: args.role.external_id.clone(),
        duration: args.role.role_duration.map(Duration::from_secs),
    };
    let path = &args.role.role_path;
    let own_account = own.then_some(&caller.account_id);
    let prepared = join_all(through_role.iter().chain(own_account).map(|account_id| {
        let role = &role;
        async move {
            let own = own_account == Some(account_id);
            let (via, account_session) = if own {
                ("its own credentials".to_owned(), session.clone())
            } else {
                let role_arn = format!("arn:{}:iam::{account_id}:role{path}{role_name}", caller.partition);
                let assumed = session.assume_role(&role_arn, role).await;
                (role_arn, assumed)
            };
            let target = async {
                let identity = caller_identity(&account_session, gate).await?;
                anyhow::ensure!(
                    &identity.account_id == account_id,
                    "{via} gave credentials of account {}",
                    identity.account_id
                );
                let regions = scan_regions(&account_session, gate, &identity.partition, args).await?;
                Ok(AccountTarget { account_id: account_id.clone(), partition: identity.partition, regions })
            }
            .await;
            (account_id, own, account_session, via, target)
        }
    }))
    .await;

    let mut ready = Vec::new();
    let mut unreachable = Vec::new();
    for (account_id, own, account_session, via, target) in prepared {
        match target {
            Ok(target) => ready.push((target, account_session)),
            Err(err) => {
                let message = format!("could not scan account {account_id} through {via}: {err:#}");
                tracing::warn!("{message}");
                let failed = err.downcast_ref::<CollectError>();
                let kind = failed.map_or(ErrorKind::Other, |err| err.kind);
                let region = session.home_region().to_owned();
                // Through a role, what failed is the role, whichever call met it.
                let error = match failed {
                    Some(failed) if own => {
                        CollectError::new(failed.service, &failed.operation, &failed.region, kind, message)
                    }
                    _ => CollectError::new(Service::Sts, "AssumeRole", &region, kind, message),
                };
                unreachable.push(UnreachableAccount {
                    account_id: account_id.clone(),
                    partition: caller.partition.clone(),
                    error,
                });
            }
        }
    }
    Ok((ready, unreachable, names, listed))
}

async fn scan_regions(session: &Session, gate: &CallGate, partition: &str, args: &ScanArgs) -> Result<Vec<String>> {
    let home = session.home_region().to_owned();
    let client = session.client::<aws_sdk_ec2::Client>(&home);
    let selection = region_selection(args);
    match ec2::describe_regions(&client, gate, &home).await {
        Ok(discovered) => Ok(plan::resolve_regions(&discovered, partition, &selection).map_err(UsageError::Plan)?),
        // Asked-for regions can still be scanned; each failed call there shows up as ERROR.
        Err(err) if selection.include.is_some() => {
            tracing::warn!(error = %err, "could not list the account's regions; scanning the regions given");
            let include = selection.include.unwrap_or_default();
            Ok(include.into_iter().filter(|region| !selection.exclude.contains(region)).collect())
        }
        Err(err) => {
            Err(anyhow::Error::new(err).context("listing the account's enabled regions (pass --regions to skip this)"))
        }
    }
}

/// clap's `requires = "organization"` lets these through with --accounts,
/// which conflicts with --organization: clap excuses a required argument
/// that conflicts with one given.
fn check_organization_selection(args: &ScanArgs) -> Result<(), UsageError> {
    let selection = &args.organization_selection;
    if !args.organization && (selection.organizational_units.is_some() || !selection.exclude_accounts.is_empty()) {
        return Err(UsageError::Other("--organizational-units and --exclude-accounts need --organization".to_owned()));
    }
    Ok(())
}

fn region_selection(args: &ScanArgs) -> RegionSelection {
    RegionSelection { include: args.regions.clone(), exclude: args.exclude_regions.clone() }
}
