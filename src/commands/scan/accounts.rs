//! The accounts a scan covers: the credentials' own, a list given with
//! `--accounts`, or an organization's; each reached through its role, with
//! the regions to scan in it.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;

use super::region_selection;
use crate::aws::chain::{branch, join_all};
use crate::aws::{CallGate, CollectError, ErrorKind, RoleSession, Service, Session};
use crate::cli::ScanArgs;
use crate::discovery::{self, Identity, caller_identity};
use crate::inventory::ec2::{self, RegionStatus};
use crate::inventory::{AccountTarget, UnreachableAccount};
use crate::plan;
use crate::shard::{self, Shard};
use crate::usage::UsageError;

/// The accounts of a scan.
pub(super) struct Accounts {
    /// Ready to collect, each with its session.
    pub ready: Vec<(AccountTarget, Session)>,
    /// Those that cannot be collected, and why.
    pub unreachable: Vec<UnreachableAccount>,
    /// Their names in Organizations, for a fleet scan.
    pub organization_names: BTreeMap<String, String>,
    /// The account list before a shard cut it.
    pub listed: Vec<String>,
}

/// Who the credentials are, and the accounts of the scan.
///
/// Without --accounts or --organization, the credentials' own account,
/// whose failures are fatal. With either, each account through its role
/// (the caller's own account in an --organization scan with its own
/// credentials), and one that fails is reported as ERROR while the others
/// are scanned.
pub(super) async fn prepare(
    session: &Session,
    gate: &CallGate,
    args: &ScanArgs,
    shard: Option<&Shard>,
) -> Result<(Identity, Accounts)> {
    if !args.organization && args.accounts.is_none() && shard.is_none() {
        return own_account(session, gate, args).await;
    }
    let caller = caller_identity(session, gate).await?;
    let accounts = listed_accounts(session, gate, &caller, args, shard).await?;
    Ok((caller, accounts))
}

/// The accounts of a sharded, --accounts or --organization scan.
async fn listed_accounts(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    args: &ScanArgs,
    shard: Option<&Shard>,
) -> Result<Accounts> {
    let (through_role, own, organization_names) = if args.organization {
        fleet(session, gate, caller, args).await?
    } else if let Some(accounts) = &args.accounts {
        (accounts.clone(), false, BTreeMap::new())
    } else {
        return own_account_in_shard(session, gate, caller, args, shard).await;
    };
    let listed: Vec<String> = through_role.iter().cloned().chain(own.then(|| caller.account_id.clone())).collect();
    // The one place the list is cut, before any role is assumed.
    let through_role = shard::select(through_role, shard);
    let own = own && shard.is_none_or(|shard| shard.owns(&caller.account_id));
    let (ready, unreachable) = assume_roles(session, gate, caller, args, &through_role, own).await;
    Ok(Accounts { ready, unreachable, organization_names, listed })
}

/// `--organization`: the accounts other than the caller's, whether the
/// caller's own is among them, and the accounts' names.
async fn fleet(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    args: &ScanArgs,
) -> Result<(Vec<String>, bool, BTreeMap<String, String>)> {
    let selection = discovery::Selection {
        units: args.organization_selection.organizational_units.as_deref(),
        exclude: &args.organization_selection.exclude_accounts,
    };
    let found = discovery::fleet(session, gate, caller, &selection).await?;
    if found.is_empty() {
        return Err(UsageError::new(format!(
            "--organization: no active account is left to scan {}",
            selection.describe()
        ))
        .into());
    }
    tracing::info!(accounts = found.len(), selection = %selection.describe(), "found the organization's active accounts");
    let names: BTreeMap<String, String> =
        found.iter().filter_map(|account| Some((account.account_id.clone(), account.name.clone()?))).collect();
    let own = found.iter().any(|account| account.account_id == caller.account_id);
    let others = found.into_iter().map(|account| account.account_id).filter(|id| id != &caller.account_id);
    Ok((others.collect(), own, names))
}

/// The credentials' own account, unsharded: which account it is and which
/// regions it has, asked side by side.
async fn own_account(session: &Session, gate: &CallGate, args: &ScanArgs) -> Result<(Identity, Accounts)> {
    let (caller, discovered) = identity_and_regions(session, gate).await;
    let caller = caller?;
    let regions = scan_regions(discovered, &caller.partition, args)?;
    let mut accounts = Accounts::of_one(&caller);
    accounts.ready.push((own_target(&caller, regions), session.clone()));
    Ok((caller, accounts))
}

/// The credentials' own account in a sharded scan: a list of one, which
/// one shard scans and the others do not (they make no call for it).
async fn own_account_in_shard(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    args: &ScanArgs,
    shard: Option<&Shard>,
) -> Result<Accounts> {
    let mut accounts = Accounts::of_one(caller);
    if shard.is_none_or(|shard| shard.owns(&caller.account_id)) {
        let regions = scan_regions(enabled_regions(session, gate).await, &caller.partition, args)?;
        accounts.ready.push((own_target(caller, regions), session.clone()));
    }
    Ok(accounts)
}

impl Accounts {
    /// The caller's own account listed, none ready yet.
    fn of_one(caller: &Identity) -> Accounts {
        let listed = vec![caller.account_id.clone()];
        Accounts { ready: Vec::new(), unreachable: Vec::new(), organization_names: BTreeMap::new(), listed }
    }
}

fn own_target(caller: &Identity, regions: Vec<String>) -> AccountTarget {
    AccountTarget { account_id: caller.account_id.clone(), partition: caller.partition.clone(), regions }
}

/// Each account through the role `--role-name` names (the caller's own,
/// when `own`, with its own credentials): those whose identity and regions
/// could be read, and those that could not be reached.
async fn assume_roles(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    args: &ScanArgs,
    through_role: &[String],
    own: bool,
) -> (Vec<(AccountTarget, Session)>, Vec<UnreachableAccount>) {
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
            let target = target(&account_session, gate, args, account_id, &via).await;
            (account_id, own, account_session, via, target)
        }
    }))
    .await;
    let mut ready = Vec::new();
    let mut unreachable = Vec::new();
    for (account_id, own, account_session, via, target) in prepared {
        match target {
            Ok(target) => ready.push((target, account_session)),
            Err(err) => unreachable.push(unreachable_account(session, caller, account_id, own, &via, &err)),
        }
    }
    (ready, unreachable)
}

/// The account behind `account_session`, checked to be `account_id`, with
/// the regions to scan.
async fn target(
    account_session: &Session,
    gate: &CallGate,
    args: &ScanArgs,
    account_id: &str,
    via: &str,
) -> Result<AccountTarget> {
    // A role that leads elsewhere costs one read of that account's regions, never used.
    let (identity, discovered) = identity_and_regions(account_session, gate).await;
    let identity = identity?;
    anyhow::ensure!(identity.account_id == account_id, "{via} gave credentials of account {}", identity.account_id);
    let regions = scan_regions(discovered, &identity.partition, args)?;
    Ok(AccountTarget { account_id: account_id.to_owned(), partition: identity.partition, regions })
}

fn unreachable_account(
    session: &Session,
    caller: &Identity,
    account_id: &str,
    own: bool,
    via: &str,
    err: &anyhow::Error,
) -> UnreachableAccount {
    let message = format!("could not scan account {account_id} through {via}: {err:#}");
    tracing::warn!("{message}");
    let failed = err.downcast_ref::<CollectError>();
    let kind = failed.map_or(ErrorKind::Other, |err| err.kind);
    let region = session.home_region().to_owned();
    // Through a role, what failed is the role, whichever call met it.
    let error = match failed {
        Some(failed) if own => CollectError::new(failed.service, &failed.operation, &failed.region, kind, message),
        _ => CollectError::new(Service::Sts, "AssumeRole", &region, kind, message),
    };
    UnreachableAccount { account_id: account_id.to_owned(), partition: caller.partition.clone(), error }
}

/// Which account `session` reaches and the regions it lists, asked side by
/// side: neither answer is needed to ask the other, and both are on the way
/// to every other call of the account.
async fn identity_and_regions(
    session: &Session,
    gate: &CallGate,
) -> (Result<Identity>, Result<Vec<RegionStatus>, CollectError>) {
    futures::join!(branch(caller_identity(session, gate)), branch(enabled_regions(session, gate)))
}

/// The regions of the account behind `session`, as its home region lists them.
async fn enabled_regions(session: &Session, gate: &CallGate) -> Result<Vec<RegionStatus>, CollectError> {
    let home = session.home_region().to_owned();
    let client = session.client::<aws_sdk_ec2::Client>(&home);
    ec2::describe_regions(&client, gate, &home).await
}

/// The regions to scan in an account of `partition`, from what listing its
/// regions gave.
fn scan_regions(
    discovered: Result<Vec<RegionStatus>, CollectError>,
    partition: &str,
    args: &ScanArgs,
) -> Result<Vec<String>> {
    let selection = region_selection(args);
    match discovered {
        Ok(discovered) => Ok(plan::resolve_regions(&discovered, partition, &selection).map_err(UsageError::new)?),
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
