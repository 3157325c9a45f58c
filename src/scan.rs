//! One scan, start to finish: plan, collect, evaluate, filter, report.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use crate::aws::chain::{self, join_all};
use anyhow::{Context as _, Result};
use aws_smithy_types::date_time::{DateTime, Format};

use crate::aws::{CallGate, CallStats, CollectError, ConcurrencyLimits, ErrorKind, Service, Session, SessionOptions};
use crate::checks::metadata::{CatalogEntry, Framework, catalog, frameworks};
use crate::checks::{Check, Context, Finding};
use crate::cli::ScanArgs;
use crate::config::{Config, ConfigError};
use crate::inventory::paginate::CallSite;
use crate::inventory::{self, AccountTarget, CollectContext, Inventory, RegionDone, ec2};
use crate::mutelist::{Date, Mutelist, MutelistError};
use crate::outcome::{Gate, Outcome};
use crate::plan::{self, CheckSelection, PlanError, RegionSelection};
use crate::progress::Progress;
use crate::report::{CheckInfo, FrameworkInfo, Report, ReportFinding, ScanError, ScanSummary, Tool, write_atomically};
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
    let started_at = now();
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
    let mut report =
        build_report(&inventory, &unreachable, &config, &checks, &catalog, started_at, &caller.arn, &regions);
    if let Some(mutelist) = &mutelist {
        apply_mutelist(&mut report, mutelist, Date::today());
    }
    report.scan.stats = gate.ledger().stats();
    progress.evaluated();
    report.checks = checks.iter().map(|check| CheckInfo::new(&catalog[check.id])).collect();
    report.checks.sort_by(|a, b| a.id.cmp(&b.id));
    report.frameworks = frameworks.iter().map(FrameworkInfo::new).collect();
    let outcome = Outcome::judge(&report, Gate { fail_on: args.fail_on, allow_errors: args.allow_errors });

    let mut written = Vec::new();
    let mut formats = args.output_formats.clone();
    formats.sort();
    formats.dedup();
    for format in formats {
        let path = args.output_dir.join(format!("{}.{}", args.output_name, format.extension()));
        let bytes = format.render(&report).with_context(|| format!("rendering the {format:?} report"))?;
        write_atomically(&path, &bytes).with_context(|| format!("writing the report to {}", path.display()))?;
        written.push(path.display().to_string());
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
fn apply_mutelist(report: &mut Report, mutelist: &Mutelist, today: Date) {
    for finding in &mut report.findings {
        // The tags the report already carries for the resource (its labels).
        let tags: Vec<(String, String)> =
            finding.resource_tags.iter().map(|(key, value)| (key.clone(), value.clone())).collect();
        mutelist.apply(finding, &tags, today);
    }
    let summary = mutelist.summary(today);
    for expired in &summary.expired {
        tracing::warn!(
            account = %expired.account, check = %expired.check, expires = %expired.expires,
            "mutelist entry has expired and mutes nothing"
        );
    }
    report.scan.mutelist = Some(summary);
}

#[allow(clippy::too_many_arguments)]
fn build_report(
    inventory: &Inventory,
    unreachable: &[UnreachableAccount],
    config: &Config,
    checks: &[&Check],
    catalog: &BTreeMap<String, CatalogEntry>,
    started_at: String,
    principal_arn: &str,
    regions: &[String],
) -> Report {
    // Checks judging recency measure from the start of the scan.
    let started_epoch =
        DateTime::from_str(&started_at, Format::DateTime).map_or_else(|_| now_epoch_seconds(), |at| at.secs());
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for account in inventory.accounts.values() {
        let labels = inventory::labels::resource_labels(account);
        for check in checks {
            let entry = &catalog[check.id];
            let context = Context { account, config, now_epoch_seconds: started_epoch };
            findings.extend(check.run(&context).into_iter().map(|finding| {
                let mut finding = ReportFinding::new(finding, entry);
                if let Some(label) = labels.get(&finding.resource_arn) {
                    finding.resource_name = label.name.clone();
                    finding.resource_tags = label.tags.clone();
                    finding.resource_details = label.details.clone();
                }
                finding
            }));
        }
        errors.extend(account.errors().into_iter().map(|err| ScanError::from_collect(&account.account_id, err)));
    }
    for account in unreachable {
        for check in checks {
            let finding = Finding {
                check_id: check.id.to_owned(),
                status: Status::Error,
                account_id: account.account_id.clone(),
                region: account.error.region.clone(),
                resource_id: account.account_id.clone(),
                resource_arn: format!("arn:{}:iam::{}:root", account.partition, account.account_id),
                message: format!("Could not evaluate: {}", account.error.message),
            };
            findings.push(ReportFinding::new(finding, &catalog[check.id]));
        }
        errors.push(ScanError::from_collect(&account.account_id, &account.error));
    }
    errors.sort();
    errors.dedup();
    Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at,
            finished_at: now(),
            principal_arn: principal_arn.to_owned(),
            accounts: inventory
                .accounts
                .keys()
                .chain(unreachable.iter().map(|account| &account.account_id))
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            regions: regions.to_vec(),
            checks: checks.iter().map(|check| check.id.to_owned()).collect(),
            errors,
            mutelist: None,
            stats: CallStats::default(),
        },
        findings,
        checks: Vec::new(),
        frameworks: Vec::new(),
    }
}

fn now_epoch_seconds() -> i64 {
    DateTime::from(SystemTime::now()).secs()
}

fn now() -> String {
    DateTime::from(SystemTime::now()).fmt(Format::DateTime).unwrap_or_default()
}
