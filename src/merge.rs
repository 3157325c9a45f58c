//! `bulkhead merge`: the JSON reports of a sharded scan joined into the
//! report one process scanning every account would have written, in every
//! format, or a refusal that lists every reason the files are not the
//! shards of one run.
//!
//! What differs from a one-process scan: `started_at` is the earliest
//! shard's start and `finished_at` the latest shard's end; the call stats
//! are the shards' sums (each shard made its own `sts:GetCallerIdentity`,
//! its own `DescribeRegions`, and the critical path is the deepest shard's);
//! `principal_arn` is the lowest shard's; history (changes, trends) is not
//! in the v1 JSON, so the merged report has none.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use jiff::Timestamp;

use crate::cli::MergeArgs;
use crate::evaluation::{UsageError, write_reports};
use crate::outcome::{Gate, Outcome, Verdict};
use crate::report::{self, CallStats, OperationStats, Report, ScanError, ShardInfo};
use crate::shard::shard_of;

/// One shard's report and the file it came from.
#[derive(Debug, Clone)]
pub struct ShardReport {
    pub path: PathBuf,
    pub report: Report,
}

/// Why the files cannot be merged: all the problems found, not the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Refusal(pub Vec<String>);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refusing to merge: these are not the shards of one scan ({} problem(s))", self.0.len())?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// The merged report and the shard indices that were missing (merged
/// anyway under `--allow-missing-shards`).
#[derive(Debug)]
pub struct Merged {
    pub report: Report,
    pub missing: Vec<u64>,
    pub count: u64,
}

/// `bulkhead merge`: reads, merges, writes, judges.
pub fn run(args: &MergeArgs) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut shards = Vec::new();
    for path in &args.reports {
        match read(path) {
            Ok(report) => shards.push(ShardReport { path: path.clone(), report }),
            Err(problem) => problems.push(problem),
        }
    }
    let merged = match merge(shards, args.allow_missing_shards, env!("CARGO_PKG_VERSION")) {
        Ok(merged) if problems.is_empty() => merged,
        Ok(_) => return Err(refused(problems)),
        Err(Refusal(more)) => {
            problems.extend(more);
            return Err(refused(problems));
        }
    };
    let report = merged.report;
    let gate = Gate { fail_on: args.fail_on, allow_errors: args.allow_errors };
    let verdicts = report.findings.iter().map(|finding| Verdict {
        status: finding.status,
        muted: finding.muted,
        severity: finding.severity,
        exempt: false,
    });
    let outcome = Outcome::judge_verdicts(verdicts, !report.scan.errors.is_empty(), gate);
    let written = write_reports(&report, &args.output_formats, &args.output_dir, &args.output_name)?;
    if !merged.missing.is_empty() {
        let missing: Vec<String> = merged.missing.iter().map(u64::to_string).collect();
        eprintln!(
            "bulkhead: warning: merged without shard(s) {} of {}: their accounts are not in the report",
            missing.join(", "),
            merged.count
        );
    }
    if !args.quiet {
        eprintln!("{}", crate::progress::summary(&report, &written, args.fail_on, outcome));
    }
    Ok(outcome)
}

fn refused(problems: Vec<String>) -> anyhow::Error {
    UsageError::Other(Refusal(problems).to_string()).into()
}

/// The `kind` of the error a missing shard leaves in the merged report.
pub const MISSING_SHARD: &str = "missing_shard";

fn read(path: &Path) -> Result<Report, String> {
    let text = std::fs::read(path).map_err(|err| format!("{}: cannot read it: {err}", path.display()))?;
    report::json::parse(&text).map_err(|err| format!("{}: not a bulkhead v1 JSON report: {err}", path.display()))
}

/// Joins the shards. `version` is this bulkhead's: the merged report is
/// rendered by this binary, so it must be the one that wrote the shards for
/// the result to be what one process would have written.
pub fn merge(shards: Vec<ShardReport>, allow_missing: bool, version: &str) -> Result<Merged, Refusal> {
    let mut problems = Vec::new();
    let mut sharded: Vec<(ShardReport, ShardInfo)> = Vec::new();
    for shard in shards {
        match shard.report.scan.shard.clone() {
            Some(info) => sharded.push((shard, info)),
            None => problems.push(format!(
                "{}: not a shard's report (its scan had no --shard or --shard-count)",
                shard.path.display()
            )),
        }
    }
    if sharded.is_empty() {
        problems.push("no shard reports to merge".to_owned());
        return Err(Refusal(problems));
    }

    let all = &sharded;
    let mut agree = |what: &str, value: &dyn Fn(&ShardReport, &ShardInfo) -> String| {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (shard, info) in all {
            values.entry(value(shard, info)).or_default().push(shard.path.display().to_string());
        }
        if values.len() > 1 {
            let listed: Vec<String> =
                values.iter().map(|(value, paths)| format!("{value} ({})", paths.join(", "))).collect();
            problems.push(format!("different {what}: {}", listed.join(" vs ")));
        }
    };
    agree("run ids", &|_, info| info.run_id.clone().map_or_else(|| "no run id".to_owned(), |id| format!("{id:?}")));
    agree("bulkhead versions", &|shard, _| shard.report.tool.version.clone());
    agree("shard counts", &|_, info| info.count.to_string());
    agree("fingerprints (checks, region flags, account list, config or mutelist)", &|_, info| info.fingerprint.clone());
    agree("check selections", &|shard, _| shard.report.scan.checks.join(","));
    agree("check metadata", &|shard, _| format!("{:?}", shard.report.checks));
    agree("compliance frameworks", &|shard, _| format!("{:?}", shard.report.frameworks));
    agree("mutelists", &|shard, _| format!("{:?}", shard.report.scan.mutelist));
    for (shard, _) in &sharded {
        if shard.report.tool.version != version {
            problems.push(format!(
                "{}: written by bulkhead {}, and this is bulkhead {version}: merge with the version that scanned",
                shard.path.display(),
                shard.report.tool.version
            ));
        }
    }

    let count = sharded[0].1.count;
    let mut by_index: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for (shard, info) in &sharded {
        by_index.entry(info.index).or_default().push(shard.path.display().to_string());
        if info.index >= info.count {
            problems.push(format!(
                "{}: shard index {} is not below its count {}",
                shard.path.display(),
                info.index,
                info.count
            ));
        }
    }
    for (index, paths) in &by_index {
        if paths.len() > 1 {
            problems.push(format!("shard {index}/{count} appears {} times: {}", paths.len(), paths.join(", ")));
        }
    }
    let missing: Vec<u64> = (0..count).filter(|index| !by_index.contains_key(index)).collect();
    if !missing.is_empty() && !allow_missing {
        let names: Vec<String> = missing.iter().map(|index| format!("{index}/{count}")).collect();
        problems
            .push(format!("missing shard(s) {} (pass --allow-missing-shards to merge without them)", names.join(", ")));
    }

    let mut owners: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (shard, info) in &sharded {
        for account in &shard.report.scan.accounts {
            owners.entry(account).or_default().push(shard.path.display().to_string());
            let belongs = shard_of(account, info.count);
            if belongs != info.index {
                problems.push(format!(
                    "{}: account {account} belongs to shard {belongs}/{}, not {}/{}",
                    shard.path.display(),
                    info.count,
                    info.index,
                    info.count
                ));
            }
        }
    }
    for (account, paths) in &owners {
        if paths.len() > 1 {
            problems.push(format!("account {account} is in more than one shard: {}", paths.join(", ")));
        }
    }
    let listed = sharded[0].1.accounts_listed;
    if missing.is_empty() && owners.len() as u64 != listed {
        // Every shard is here, yet accounts of the list are not: an
        // account must never disappear in a merge.
        problems.push(format!("the shards hold {} account(s) of the {listed} listed", owners.len()));
    }
    let started = timestamps(&sharded, |report| &report.scan.started_at, &mut problems);
    let finished = timestamps(&sharded, |report| &report.scan.finished_at, &mut problems);
    if !problems.is_empty() {
        return Err(Refusal(problems));
    }

    sharded.sort_by_key(|(_, info)| info.index);
    let mut reports: Vec<Report> = sharded.into_iter().map(|(shard, _)| shard.report).collect();
    let mut merged = reports.remove(0);
    let earliest = started.iter().min().map(|(_, text)| text.clone());
    let latest = finished.iter().max().map(|(_, text)| text.clone());
    for report in reports {
        let scan = report.scan;
        merged.scan.accounts.extend(scan.accounts);
        merged.scan.account_names.extend(scan.account_names);
        merged.scan.regions.extend(scan.regions);
        merged.scan.errors.extend(scan.errors);
        merged.scan.stats = add_stats(merged.scan.stats, scan.stats);
        merged.findings.extend(report.findings);
    }
    let scan = &mut merged.scan;
    scan.started_at = earliest.unwrap_or_default();
    scan.finished_at = latest.unwrap_or_default();
    scan.accounts = sorted(std::mem::take(&mut scan.accounts));
    scan.regions = sorted(std::mem::take(&mut scan.regions));
    scan.errors.extend(missing.iter().map(|index| ScanError {
        account_id: String::new(),
        region: String::new(),
        service: "bulkhead".to_owned(),
        operation: "merge".to_owned(),
        kind: MISSING_SHARD.to_owned(),
        message: format!("shard {index} of {count} is missing: its accounts are not in this report"),
    }));
    scan.errors = sorted(std::mem::take(&mut scan.errors));
    scan.shard = None;
    // As a one-process scan orders them (`evaluation::finish`): by account,
    // a stable sort, so each account's findings keep their shard's order
    // (check registry order, then each check's own).
    merged.findings.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    merged.history = None;
    Ok(Merged { report: merged, missing, count })
}

fn sorted<T: Ord>(items: Vec<T>) -> Vec<T> {
    items.into_iter().collect::<BTreeSet<_>>().into_iter().collect()
}

/// Each shard's timestamp, parsed: their text need not sort as time does
/// (the fraction of a second has as many digits as it needs).
fn timestamps(
    shards: &[(ShardReport, ShardInfo)],
    field: impl Fn(&Report) -> &String,
    problems: &mut Vec<String>,
) -> Vec<(Timestamp, String)> {
    let mut parsed = Vec::new();
    for (shard, _) in shards {
        let text = field(&shard.report);
        match text.parse::<Timestamp>() {
            Ok(at) => parsed.push((at, text.clone())),
            Err(err) => problems.push(format!("{}: timestamp {text:?}: {err}", shard.path.display())),
        }
    }
    parsed
}

/// Sums per (service, operation, region); the critical path is the deepest
/// shard's, since shards ran side by side. Services keep the order the
/// shards list them in (the scan's own order).
fn add_stats(a: CallStats, b: CallStats) -> CallStats {
    let mut services: Vec<String> = Vec::new();
    let mut operations: BTreeMap<(usize, String, String), OperationStats> = BTreeMap::new();
    for operation in a.operations.into_iter().chain(b.operations) {
        let rank = match services.iter().position(|service| *service == operation.service) {
            Some(rank) => rank,
            None => {
                services.push(operation.service.clone());
                services.len() - 1
            }
        };
        let key = (rank, operation.region.clone(), operation.operation.clone());
        match operations.get_mut(&key) {
            Some(sum) => {
                sum.calls += operation.calls;
                sum.attempts += operation.attempts;
                sum.retries += operation.retries;
                sum.throttles += operation.throttles;
            }
            None => {
                operations.insert(key, operation);
            }
        }
    }
    CallStats {
        calls: a.calls + b.calls,
        attempts: a.attempts + b.attempts,
        retries: a.retries + b.retries,
        throttles: a.throttles + b.throttles,
        critical_path_depth: a.critical_path_depth.max(b.critical_path_depth),
        operations: operations.into_values().collect(),
    }
}
