//! One scan, start to finish: plan, collect, evaluate, filter, report.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result};
use aws_smithy_types::date_time::{DateTime, Format};

use crate::aws::{CallGate, CollectError, ConcurrencyLimits, Session, SessionOptions};
use crate::checks::metadata::{CatalogEntry, catalog, frameworks};
use crate::checks::{Check, Context};
use crate::cli::ScanArgs;
use crate::config::Config;
use crate::inventory::{self, AccountTarget, CollectContext, Inventory, RegionDone, ec2};
use crate::outcome::{Gate, Outcome};
use crate::plan::{self, CheckSelection, PlanError, RegionSelection};
use crate::progress::Progress;
use crate::report::{CheckInfo, FrameworkInfo, Report, ReportFinding, ScanError, ScanSummary, Tool, write_atomically};

/// A problem with what the user asked for: exit 2.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct UsageError(#[from] pub PlanError);

pub async fn run(args: &ScanArgs) -> Result<Outcome> {
    let started_at = now();
    let checks =
        plan::select_checks(&CheckSelection { include: args.checks.clone(), exclude: args.exclude_checks.clone() })
            .map_err(UsageError)?;
    let catalog = catalog()?;

    let session = Session::load(&SessionOptions {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        retry_mode: args.retry_mode,
        max_attempts: args.max_attempts,
        connect_timeout: Duration::from_secs(args.connect_timeout),
        operation_timeout: Duration::from_secs(args.operation_timeout),
    })
    .await;
    let gate = CallGate::new(ConcurrencyLimits {
        global: args.max_concurrency,
        per_endpoint: args.max_concurrency_per_endpoint,
    });

    let identity = caller_identity(&session, &gate).await?;
    let regions = scan_regions(&session, &gate, &identity.partition, args).await?;
    tracing::info!(account = %identity.account_id, regions = regions.len(), checks = checks.len(), "collecting");

    let needs = plan::needs(&checks);
    let target =
        AccountTarget { account_id: identity.account_id.clone(), partition: identity.partition.clone(), regions };
    let progress = Progress::start(args.quiet, target.regions.len(), checks.len());
    let on_region_done = |region: &str| progress.region_done(region);
    let context = CollectContext {
        session: &session,
        gate: &gate,
        needs: &needs,
        on_region_done: Some(RegionDone(&on_region_done)),
    };
    let account = inventory::collect_account(&context, &target).await;
    let mut inventory = Inventory::default();
    inventory.accounts.insert(account.account_id.clone(), account);

    let config = Config::default();
    progress.collected();
    let mut report = build_report(&inventory, &config, &checks, &catalog, started_at, &identity.arn, &target.regions);
    progress.evaluated();
    report.checks = checks.iter().map(|check| CheckInfo::new(&catalog[check.id])).collect();
    report.checks.sort_by(|a, b| a.id.cmp(&b.id));
    report.frameworks = frameworks()?.iter().map(|(framework, _)| FrameworkInfo::new(framework)).collect();
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
    let client = aws_sdk_sts::Client::new(&session.config_for(&region));
    let output = gate
        .call(crate::aws::Service::Sts, &region, client.get_caller_identity().send())
        .await
        .map_err(|err| CollectError::from_sdk(crate::aws::Service::Sts, "GetCallerIdentity", &region, &err))
        .context("finding out which account the credentials belong to")?;
    let arn = output.arn().unwrap_or_default().to_owned();
    let partition = arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_owned();
    Ok(Identity { account_id: output.account().unwrap_or_default().to_owned(), arn, partition })
}

async fn scan_regions(session: &Session, gate: &CallGate, partition: &str, args: &ScanArgs) -> Result<Vec<String>> {
    let home = session.home_region().to_owned();
    let client = aws_sdk_ec2::Client::new(&session.config_for(&home));
    let selection = RegionSelection { include: args.regions.clone(), exclude: args.exclude_regions.clone() };
    match ec2::describe_regions(&client, gate, &home).await {
        Ok(discovered) => Ok(plan::resolve_regions(&discovered, partition, &selection).map_err(UsageError)?),
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

fn build_report(
    inventory: &Inventory,
    config: &Config,
    checks: &[&Check],
    catalog: &BTreeMap<String, CatalogEntry>,
    started_at: String,
    principal_arn: &str,
    regions: &[String],
) -> Report {
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for account in inventory.accounts.values() {
        let labels = inventory::labels::resource_labels(account);
        for check in checks {
            let entry = &catalog[check.id];
            let context = Context { account, config };
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
    errors.sort();
    errors.dedup();
    Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at,
            finished_at: now(),
            principal_arn: principal_arn.to_owned(),
            accounts: inventory.accounts.keys().cloned().collect(),
            regions: regions.to_vec(),
            checks: checks.iter().map(|check| check.id.to_owned()).collect(),
            errors,
        },
        findings,
        checks: Vec::new(),
        frameworks: Vec::new(),
    }
}

fn now() -> String {
    DateTime::from(SystemTime::now()).fmt(Format::DateTime).unwrap_or_default()
}
