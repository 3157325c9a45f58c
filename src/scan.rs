//! `bulkhead scan`: plan and collect, then [`crate::evaluation::finish`]
//! evaluates, filters, remembers and reports.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::time::Duration;

use futures::StreamExt as _;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::assemble;
use crate::aws::chain::{self, join_all};
use crate::aws::{CallGate, CollectError, ConcurrencyLimits, ErrorKind, Service, Session, SessionOptions};
use crate::cli::ScanArgs;
use crate::evaluation::{Collection, Evaluator, Inputs, Recording, Remembered, finish, header};
use crate::inventory::paginate::CallSite;
use crate::inventory::{self, AccountTarget, CollectContext, Inventory, RegionDone, UnreachableAccount, ec2};
use crate::outcome::Outcome;
use crate::plan::{self, RegionSelection};
use crate::progress::Progress;
use crate::saved_inventory::SavedInventory;

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
    let (ready, unreachable) = prepare_accounts(&session, &gate, &caller, args).await?;
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
        let mut inventory = Inventory { unreachable, ..Inventory::default() };
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
            stats: assemble::call_stats(gate.ledger().stats()),
        };
        return finish(&inputs, collection, &args.evaluation, remembered, &progress, args.stats);
    }

    let mut evaluator = Evaluator::new(&inputs, &args.evaluation, remembered, header, started_at)?;
    while let Some(account) = collected.next().await {
        evaluator.account(&account)?;
    }
    drop(collected);
    for account in &unreachable {
        evaluator.unreachable(account)?;
    }
    progress.collected();
    progress.evaluated();
    evaluator.finish(&caller.arn, regions, assemble::call_stats(gate.ledger().stats()), &progress, args.stats)
}

/// One account in flight per this many calls of the global limit: enough
/// to keep the calls busy while each account waits on its own chain of
/// dependent calls.
const CALLS_PER_ACCOUNT_IN_FLIGHT: usize = 8;

fn default_accounts_in_flight(args: &ScanArgs) -> usize {
    (args.max_concurrency.get() / CALLS_PER_ACCOUNT_IN_FLIGHT).max(1)
}

#[derive(Debug)]
struct Identity {
    account_id: String,
    arn: String,
    partition: String,
}

async fn caller_identity(session: &Session, gate: &CallGate) -> Result<Identity> {
    let region = session.home_region().to_owned();
    let client = session.client::<aws_sdk_sts::Client>(&region);
    let site = CallSite { gate, service: Service::Sts, region: &region, operation: "GetCallerIdentity" };
    let output = site
        .once(|| client.get_caller_identity().send())
        .await
        .context("finding out which account the credentials belong to")?;
    let arn = output.arn().unwrap_or_default().to_owned();
    let partition = arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_owned();
    Ok(Identity { account_id: output.account().unwrap_or_default().to_owned(), arn, partition })
}

/// The accounts to scan, each with its session and regions. Without
/// --accounts, the credentials' own account, whose failures are fatal; with
/// it, each account through its role, and one that fails is reported as
/// ERROR while the others are scanned.
async fn prepare_accounts(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    args: &ScanArgs,
) -> Result<(Vec<(AccountTarget, Session)>, Vec<UnreachableAccount>)> {
    let (Some(accounts), Some(role_name)) = (&args.accounts, &args.role_name) else {
        let regions = scan_regions(session, gate, &caller.partition, args).await?;
        let target =
            AccountTarget { account_id: caller.account_id.clone(), partition: caller.partition.clone(), regions };
        return Ok((vec![(target, session.clone())], Vec::new()));
    };
    let prepared = join_all(accounts.iter().map(|account_id| async move {
        let role_arn = format!("arn:{}:iam::{account_id}:role/{role_name}", caller.partition);
        let assumed = session.assume_role(&role_arn).await;
        let target = async {
            let identity = caller_identity(&assumed, gate).await?;
            anyhow::ensure!(
                &identity.account_id == account_id,
                "role {role_arn} gave credentials of account {}",
                identity.account_id
            );
            let regions = scan_regions(&assumed, gate, &identity.partition, args).await?;
            Ok(AccountTarget { account_id: account_id.clone(), partition: identity.partition, regions })
        }
        .await;
        (account_id, assumed, role_arn, target)
    }))
    .await;

    let mut ready = Vec::new();
    let mut unreachable = Vec::new();
    for (account_id, assumed, role_arn, target) in prepared {
        match target {
            Ok(target) => ready.push((target, assumed)),
            Err(err) => {
                let message = format!("could not scan account {account_id} through {role_arn}: {err:#}");
                tracing::warn!("{message}");
                let kind = err.downcast_ref::<CollectError>().map_or(ErrorKind::Other, |err| err.kind);
                let region = session.home_region().to_owned();
                unreachable.push(UnreachableAccount {
                    account_id: account_id.clone(),
                    partition: caller.partition.clone(),
                    error: CollectError::new(Service::Sts, "AssumeRole", &region, kind, message),
                });
            }
        }
    }
    Ok((ready, unreachable))
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

fn region_selection(args: &ScanArgs) -> RegionSelection {
    RegionSelection { include: args.regions.clone(), exclude: args.exclude_regions.clone() }
}
