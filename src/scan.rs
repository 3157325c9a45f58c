//! `bulkhead scan`: plan and collect, then [`crate::evaluation::finish`]
//! evaluates, filters, remembers and reports.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::assemble;
use crate::aws::chain::{self, join_all};
use crate::aws::{CallGate, CollectError, ConcurrencyLimits, ErrorKind, Service, Session, SessionOptions};
use crate::cli::ScanArgs;
use crate::evaluation::{Collection, Inputs, Recording, Remembered, finish, header};
use crate::inventory::paginate::CallSite;
use crate::inventory::{self, AccountTarget, CollectContext, Inventory, RegionDone, UnreachableAccount, ec2};
use crate::outcome::Outcome;
use crate::plan::{self, RegionSelection};
use crate::progress::Progress;
use crate::report::{self, ShardInfo};
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
    let sharding = shard::resolve(&ShardFlags::from(&args.sharding), |name| std::env::var(name).ok())
        .map_err(|err| UsageError::Other(err.to_string()))?;
    let mut remembered = Remembered::open(&args.evaluation, Recording::ByDefault)?;

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
    let (ready, unreachable, listed) =
        prepare_accounts(&session, &gate, &caller, args, sharding.as_ref().map(|run| &run.shard)).await?;
    let shard = sharding.map(|run| shard_info(&run, listed, args, &inputs)).transpose()?;
    let needs = plan::needs(&inputs.checks);
    let accounts: BTreeSet<String> = ready
        .iter()
        .map(|(target, _)| target.account_id.clone())
        .chain(unreachable.iter().map(|account| account.account_id.clone()))
        .collect();
    let scanned_regions: BTreeSet<String> =
        ready.iter().flat_map(|(target, _)| target.regions.iter().cloned()).collect();
    remembered.begin(
        &header(
            started_at,
            &caller.arn,
            accounts.into_iter().collect(),
            scanned_regions.into_iter().collect(),
            &inputs.checks,
        ),
        &inputs.selection,
    );
    let progress = Progress::start(
        args.evaluation.quiet,
        ready.iter().map(|(target, _)| target.regions.len()).sum(),
        inputs.checks.len(),
    );
    let on_region_done = |region: &str| progress.region_done(region);
    let collected = join_all(ready.iter().map(|(target, account_session)| {
        tracing::info!(account = %target.account_id, regions = target.regions.len(), checks = inputs.checks.len(), "collecting");
        let context = CollectContext {
            session: account_session,
            gate: &gate,
            needs: &needs,
            on_region_done: Some(RegionDone(&on_region_done)),
        };
        async move { inventory::collect_account(&context, target).await }
    }))
    .await;
    let mut inventory = Inventory { unreachable, ..Inventory::default() };
    for account in collected {
        inventory.accounts.insert(account.account_id.clone(), account);
    }
    let regions: Vec<String> = ready
        .iter()
        .flat_map(|(target, _)| target.regions.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    progress.collected();

    let collection = Collection {
        started_at,
        principal_arn: caller.arn.clone(),
        regions,
        inventory,
        stats: assemble::call_stats(gate.ledger().stats()),
        shard,
    };
    if let Some(path) = &args.save_inventory {
        let saved = SavedInventory::new(
            collection.started_at,
            collection.principal_arn.clone(),
            collection.regions.clone(),
            inputs.checks.iter().map(|check| check.id.to_owned()).collect(),
            needs.iter().collect(),
            collection.inventory,
        );
        saved.write(path)?;
        return finish(
            &inputs,
            Collection { inventory: saved.inventory, ..collection },
            &args.evaluation,
            remembered,
            &progress,
            args.stats,
        );
    }
    finish(&inputs, collection, &args.evaluation, remembered, &progress, args.stats)
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

/// The accounts to scan, each with its session and regions, and the
/// account list they were taken from. Without --accounts, the credentials'
/// own account, whose failures are fatal; with it, each account through its
/// role, and one that fails is reported as ERROR while the others are
/// scanned. A shard scans only its part of the list; the credentials' own
/// account is a list of one, so one shard scans it and the others nothing.
async fn prepare_accounts(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    args: &ScanArgs,
    shard: Option<&Shard>,
) -> Result<(Vec<(AccountTarget, Session)>, Vec<UnreachableAccount>, Vec<String>)> {
    let listed = args.accounts.clone().unwrap_or_else(|| vec![caller.account_id.clone()]);
    // The one place the list is cut, before any role is assumed.
    let accounts = shard::select(listed.clone(), shard);
    let (Some(_), Some(role_name)) = (&args.accounts, &args.role_name) else {
        if accounts.is_empty() {
            return Ok((Vec::new(), Vec::new(), listed));
        }
        let regions = scan_regions(session, gate, &caller.partition, args).await?;
        let target =
            AccountTarget { account_id: caller.account_id.clone(), partition: caller.partition.clone(), regions };
        return Ok((vec![(target, session.clone())], Vec::new(), listed));
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
    Ok((ready, unreachable, listed))
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
