//! One scan, start to finish: plan, collect, evaluate, filter, report.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::assemble;
use crate::aws::chain::{self, join_all};
use crate::aws::{CallGate, CollectError, ConcurrencyLimits, ErrorKind, Service, Session, SessionOptions};
use crate::checks::metadata::{Framework, catalog, frameworks};
use crate::checks::{Check, Context, Finding};
use crate::cli::ScanArgs;
use crate::config::{Config, ConfigError};
use crate::inventory::paginate::CallSite;
use crate::inventory::{self, AccountTarget, CollectContext, Inventory, RegionDone, ec2};
use crate::mutelist::{Date, Mutelist, MutelistError};
use crate::outcome::{Gate, Outcome};
use crate::plan::{self, CheckSelection, PlanError, RegionSelection};
use crate::progress::Progress;
use crate::report::{Report, ScanError, ScanSummary, Tool, write_atomically};
use crate::severity::Status;

/// A problem with what the user asked for: exit 2, before any AWS call.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("invalid config file {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Mutelist(#[from] MutelistError),
}

pub async fn run(args: &ScanArgs) -> Result<Outcome> {
    // The whole scan is one chain of calls; the ledger measures how deep it runs.
    chain::branch(scan(args)).await
}

async fn scan(args: &ScanArgs) -> Result<Outcome> {
    let started_at = Timestamp::now();
    // Everything the user gave is validated before the first AWS call.
    let config = match &args.config {
        Some(path) => Config::load(path).map_err(UsageError::from)?,
        None => Config::default(),
    };
    plan::check_region_selection(&region_selection(args)).map_err(UsageError::Plan)?;
    let mutelist = args.mutelist.as_deref().map(Mutelist::load).transpose().map_err(UsageError::Mutelist)?;
    let catalog = catalog()?;
    let frameworks: Vec<Framework> = frameworks()?.into_iter().map(|(framework, _)| framework).collect();
    let selection = CheckSelection {
        include: args.checks.clone(),
        exclude: args.exclude_checks.clone(),
        services: args.services.clone(),
        severities: args.severity.clone(),
        compliance: args.compliance.clone(),
    };
    let checks = plan::select_checks_in(&selection, &catalog, &frameworks).map_err(UsageError::from)?;

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
    let needs = plan::needs(&checks);
    let progress =
        Progress::start(args.quiet, ready.iter().map(|(target, _)| target.regions.len()).sum(), checks.len());
    let on_region_done = |region: &str| progress.region_done(region);
    let collected = join_all(ready.iter().map(|(target, account_session)| {
        tracing::info!(account = %target.account_id, regions = target.regions.len(), checks = checks.len(), "collecting");
        let context = CollectContext {
            session: account_session,
            gate: &gate,
            needs: &needs,
            on_region_done: Some(RegionDone(&on_region_done)),
        };
        async move { inventory::collect_account(&context, target).await }
    }))
    .await;
    let mut inventory = Inventory::default();
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
    // Evaluate, then filter: the mutelist marks findings, and the outcome is
    // judged from them before the report model is built.
    let Evaluated { mut findings, errors } = evaluate(&inventory, &unreachable, &config, &checks, started_at);
    let mutelist_summary = mutelist.as_ref().map(|mutelist| apply_mutelist(&mut findings, mutelist, Date::today()));
    progress.evaluated();
    let gate_settings = Gate { fail_on: args.fail_on, allow_errors: args.allow_errors };
    let outcome = Outcome::judge(&findings, !errors.is_empty(), |id| catalog[id].metadata.severity, gate_settings);

    let accounts: Vec<String> = inventory
        .accounts
        .keys()
        .chain(unreachable.iter().map(|account| &account.account_id))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Named by alias where there is one; an unreachable account by its id.
    let account_names = inventory
        .accounts
        .values()
        .map(|account| (account.account_id.clone(), account.iam.alias().unwrap_or(&account.account_id).to_owned()))
        .collect();
    let mut report_checks: Vec<_> = checks.iter().map(|check| assemble::check(&catalog[check.id])).collect();
    report_checks.sort_by(|a, b| a.id.cmp(&b.id));
    let report = Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at: started_at.to_string(),
            finished_at: Timestamp::now().to_string(),
            principal_arn: caller.arn.clone(),
            accounts,
            account_names,
            regions,
            checks: checks.iter().map(|check| check.id.to_owned()).collect(),
            errors,
            mutelist: mutelist_summary.map(assemble::mutelist),
            stats: assemble::call_stats(gate.ledger().stats()),
        },
        findings: findings
            .into_iter()
            .map(|finding| {
                let entry = &catalog[finding.check_id.as_str()];
                assemble::finding(finding, entry)
            })
            .collect(),
        checks: report_checks,
        frameworks: frameworks.iter().map(assemble::framework).collect(),
    };

    let mut written = Vec::new();
    let mut formats: Vec<crate::report::Format> = args.output_formats.iter().map(|&format| format.into()).collect();
    formats.sort();
    formats.dedup();
    for format in formats {
        let files =
            format.render(&report, &args.output_name).with_context(|| format!("rendering the {format:?} report"))?;
        for (file, bytes) in files {
            let path = args.output_dir.join(file);
            write_atomically(&path, &bytes).with_context(|| format!("writing the report to {}", path.display()))?;
            written.push(path.display().to_string());
        }
    }
    progress.finish();
    if !args.quiet {
        eprintln!("{}", crate::progress::summary(&report, &written, args.fail_on, outcome));
    }
    if args.stats {
        eprintln!("{}", crate::progress::call_stats(&report.scan.stats));
    }
    Ok(outcome)
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

/// An account that could not be scanned at all (role not assumable, regions
/// not listable): every selected check reports ERROR for it.
#[derive(Debug)]
struct UnreachableAccount {
    account_id: String,
    partition: String,
    error: CollectError,
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

fn evaluate(
    inventory: &Inventory,
    unreachable: &[UnreachableAccount],
    config: &Config,
    checks: &[&Check],
    started_at: Timestamp,
) -> Evaluated {
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
    for account in unreachable {
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
