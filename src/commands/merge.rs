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
use crate::model::VulnerableImage;
use crate::model::{CallStats, Findings, OperationStats, Report, ReportFinding, ScanError, ShardInfo};
use crate::outcome::{Gate, Outcome, Verdict};
use crate::report;
use crate::shard::{fnv1a64, shard_of};
use crate::usage::UsageError;

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
    let outcome = judge(&report, gate)?;
    let formats: Vec<report::Format> = args.output_formats.iter().map(|&format| format.into()).collect();
    let written = report::write_reports(&report, &formats, &args.output_dir, &args.output_name)?;
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

/// The merged report's exit outcome, as a scan of the same accounts judges it.
fn judge(report: &Report, gate: Gate) -> Result<Outcome> {
    let mut verdict = Verdict::default();
    if !report.scan.errors.is_empty() {
        verdict.collection_failed();
    }
    report.findings.each(|_, finding| {
        verdict.add(finding.status, finding.muted, finding.severity, false, gate);
        Ok(())
    })?;
    Ok(verdict.outcome(gate))
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
    // Long values are named by a digest: the message says which files differ.
    let digest = |text: String| format!("fnv1a64:{:016x}", fnv1a64(text.as_bytes()));
    agree("check selections", &|shard, _| {
        let checks = &shard.report.scan.checks;
        format!("{} checks, {}", checks.len(), digest(checks.join(",")))
    });
    agree("check metadata", &|shard, _| digest(format!("{:?}", shard.report.checks)));
    agree("compliance frameworks", &|shard, _| digest(format!("{:?}", shard.report.frameworks)));
    agree("mutelists", &|shard, _| match &shard.report.scan.mutelist {
        Some(mutelist) => {
            format!("{} ({} entries, {})", mutelist.path, mutelist.entries, digest(format!("{mutelist:?}")))
        }
        None => "no mutelist".to_owned(),
    });
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
    let mut findings = in_memory(std::mem::take(&mut merged.findings));
    let earliest = started.iter().min().map(|(_, text)| text.clone());
    let latest = finished.iter().max().map(|(_, text)| text.clone());
    for report in reports {
        let scan = report.scan;
        merged.scan.accounts.extend(scan.accounts);
        merged.scan.account_names.extend(scan.account_names);
        merged.scan.regions.extend(scan.regions);
        merged.scan.errors.extend(scan.errors);
        merged.scan.stats = add_stats(merged.scan.stats, scan.stats);
        findings.extend(in_memory(report.findings));
        // Shards select the same checks, so they all read scan findings or none do.
        if let (Some(merged), Some(images)) = (&mut merged.vulnerabilities, report.vulnerabilities) {
            merged.extend(images);
        }
    }
    if let Some(images) = &mut merged.vulnerabilities {
        VulnerableImage::rank_all(images);
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
    // As a one-process scan orders them (the pipeline's spill): by account,
    // a stable sort, so each account's findings keep their shard's order
    // (check registry order, then each check's own).
    findings.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    merged.findings = Findings::from(findings);
    merged.history = None;
    merged.recount().map_err(|err| Refusal(vec![format!("counting the merged findings: {err:#}")]))?;
    Ok(Merged { report: merged, missing, count })
}

/// A shard's findings: reports read from JSON hold them in memory.
fn in_memory(findings: Findings) -> Vec<ReportFinding> {
    match findings {
        Findings::Memory(findings) => findings,
        Findings::Spilled(spill) => unreachable!("a report read from JSON holds its findings in memory: {spill:?}"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ReportFinding, ScanSummary, Tool};
    use crate::severity::{Severity, Status};

    const VERSION: &str = "0.1.0";

    fn finding(account: &str, check: &str, resource: &str) -> ReportFinding {
        ReportFinding {
            check_id: check.into(),
            title: "t".into(),
            severity: Severity::High,
            status: Status::Fail,
            muted: false,
            mute_reason: None,
            account_id: account.into(),
            region: "eu-west-1".into(),
            service: "ec2".into(),
            resource_type: "AwsEc2SecurityGroup".into(),
            resource_id: resource.into(),
            resource_arn: format!("arn:aws:ec2:eu-west-1:{account}:security-group/{resource}"),
            message: "m".into(),
            compliance: Default::default(),
            resource_name: String::new(),
            resource_tags: Default::default(),
            resource_details: String::new(),
            failing_since: None,
        }
    }

    fn operation(service: &str, name: &str, calls: u64) -> OperationStats {
        OperationStats {
            service: service.into(),
            operation: name.into(),
            region: "us-east-1".into(),
            calls,
            attempts: calls,
            retries: 0,
            throttles: 0,
        }
    }

    /// The accounts of `listed` that shard `index` of `count` owns.
    fn owned(listed: &[String], index: u64, count: u64) -> Vec<String> {
        crate::shard::select(listed.to_vec(), Some(&crate::shard::Shard { index, count }))
    }

    fn listed() -> Vec<String> {
        (0..12).map(|n| format!("{:012}", 100_000_000_000u64 + n)).collect()
    }

    /// Shard `index` of `count` of a scan of `listed()`: per account, two
    /// findings of check `b` then one of check `a` (registry order, not
    /// alphabetical), the accounts in reverse order (as `--accounts` may give).
    fn shard(index: u64, count: u64) -> ShardReport {
        let accounts = owned(&listed(), index, count);
        let findings = accounts
            .iter()
            .rev()
            .flat_map(|account| {
                [finding(account, "b", "sg-2"), finding(account, "b", "sg-1"), finding(account, "a", "sg-9")]
            })
            .collect::<Vec<_>>()
            .into();
        let report = Report {
            tool: Tool { name: "bulkhead".into(), version: VERSION.into() },
            scan: ScanSummary {
                started_at: format!("2026-01-01T00:00:0{index}.5Z"),
                finished_at: format!("2026-01-01T00:01:0{index}Z"),
                principal_arn: format!("arn:aws:sts::999999999999:assumed-role/audit/shard-{index}"),
                accounts: accounts.clone(),
                account_names: accounts.iter().map(|a| (a.clone(), format!("name-{a}"))).collect(),
                regions: vec!["eu-west-1".into(), format!("region-{index}")],
                checks: vec!["b".into(), "a".into()],
                errors: accounts
                    .iter()
                    .take(1)
                    .map(|account| ScanError {
                        account_id: account.clone(),
                        region: "eu-west-1".into(),
                        service: "ec2".into(),
                        operation: "DescribeVpcs".into(),
                        kind: "access_denied".into(),
                        message: "no".into(),
                    })
                    .collect(),
                mutelist: None,
                stats: CallStats {
                    calls: 3,
                    attempts: 3,
                    retries: 0,
                    throttles: 0,
                    critical_path_depth: 2 + index as u32,
                    operations: vec![operation("sts", "GetCallerIdentity", 1), operation("ec2", "DescribeVpcs", 2)],
                },
                shard: Some(ShardInfo {
                    index,
                    count,
                    run_id: Some("run-1".into()),
                    fingerprint: "fnv1a64:00000000000000aa".into(),
                    accounts_listed: listed().len() as u64,
                }),
                organizational_units: None,
            },
            findings,
            checks: vec![],
            frameworks: vec![],
            history: None,
            vulnerabilities: None,
            tally: Default::default(),
        };
        ShardReport { path: PathBuf::from(format!("shard-{index}.json")), report }
    }

    fn problems(shards: Vec<ShardReport>) -> Vec<String> {
        merge(shards, false, VERSION).unwrap_err().0
    }

    #[test]
    fn shards_join_as_one_process_would_have_written() {
        let merged = merge(vec![shard(2, 3), shard(0, 3), shard(1, 3)], false, VERSION).unwrap();
        assert!(merged.missing.is_empty());
        let report = merged.report;
        let mut accounts = listed();
        accounts.sort();
        assert_eq!(report.scan.accounts, accounts);
        assert_eq!(report.scan.account_names.len(), 12);
        assert_eq!(report.scan.regions, ["eu-west-1", "region-0", "region-1", "region-2"]);
        assert_eq!(report.scan.started_at, "2026-01-01T00:00:00.5Z");
        assert_eq!(report.scan.finished_at, "2026-01-01T00:01:02Z");
        assert_eq!(report.scan.principal_arn, "arn:aws:sts::999999999999:assumed-role/audit/shard-0");
        assert_eq!(report.scan.shard, None);
        assert_eq!(report.scan.errors.len(), 3);
        assert!(report.scan.errors.windows(2).all(|pair| pair[0] < pair[1]), "sorted");
        // By account, then each account's own order: b sg-2, b sg-1, a sg-9.
        let order: Vec<(String, String, String)> = report
            .findings
            .to_vec()
            .unwrap()
            .iter()
            .map(|f| (f.account_id.clone(), f.check_id.clone(), f.resource_id.clone()))
            .collect();
        let expected: Vec<(String, String, String)> = accounts
            .iter()
            .flat_map(|a| {
                [("b", "sg-2"), ("b", "sg-1"), ("a", "sg-9")].map(|(c, r)| (a.clone(), c.to_owned(), r.to_owned()))
            })
            .collect();
        assert_eq!(order, expected);
        let stats = &report.scan.stats;
        assert_eq!((stats.calls, stats.critical_path_depth), (9, 4));
        let operations: Vec<(&str, u64)> =
            stats.operations.iter().map(|op| (op.operation.as_str(), op.calls)).collect();
        assert_eq!(operations, [("GetCallerIdentity", 3), ("DescribeVpcs", 6)], "sts first, as the scan lists it");
    }

    #[test]
    fn one_shard_of_one_is_the_whole_scan() {
        let merged = merge(vec![shard(0, 1)], false, VERSION).unwrap();
        assert_eq!(merged.report.scan.accounts.len(), 12);
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let mut other_run = shard(1, 4);
        other_run.report.scan.shard.as_mut().unwrap().run_id = Some("run-2".into());
        let mut other_settings = shard(2, 4);
        other_settings.report.scan.shard.as_mut().unwrap().fingerprint = "fnv1a64:00000000000000bb".into();
        let mut whole = shard(3, 4);
        whole.path = "whole.json".into();
        whole.report.scan.shard = None;
        let found = problems(vec![shard(0, 4), shard(0, 4), other_run, other_settings, whole]);
        let expected = [
            "whole.json: not a shard's report",
            "different run ids: \"run-1\" (shard-0.json, shard-0.json, shard-2.json) vs \"run-2\" (shard-1.json)",
            "different fingerprints",
            "shard 0/4 appears 2 times: shard-0.json, shard-0.json",
            "missing shard(s) 3/4",
            "is in more than one shard: shard-0.json, shard-0.json",
        ];
        for needle in expected {
            assert!(found.iter().any(|problem| problem.contains(needle)), "{needle:?} not in {found:#?}");
        }
        assert_eq!(found.len(), 3 + 1 + 1 + owned(&listed(), 0, 4).len(), "{found:#?}");
    }

    #[test]
    fn versions_counts_and_checks_must_match() {
        let mut newer = shard(1, 2);
        newer.report.tool.version = "0.2.0".into();
        let mut fewer_checks = shard(0, 2);
        fewer_checks.report.scan.checks = vec!["a".into()];
        let found = problems(vec![fewer_checks, newer, shard(2, 3)]);
        for needle in [
            "different bulkhead versions: 0.1.0 (shard-0.json, shard-2.json) vs 0.2.0 (shard-1.json)",
            "shard-1.json: written by bulkhead 0.2.0, and this is bulkhead 0.1.0",
            "different shard counts: 2 (shard-0.json, shard-1.json) vs 3 (shard-2.json)",
            "different check selections",
        ] {
            assert!(found.iter().any(|problem| problem.contains(needle)), "{needle:?} not in {found:#?}");
        }
    }

    #[test]
    fn an_account_in_the_wrong_shard_or_lost_is_refused() {
        let mut moved = shard(0, 2);
        let stray = owned(&listed(), 1, 2).remove(0);
        moved.report.scan.accounts.push(stray.clone());
        let found = problems(vec![moved, shard(1, 2)]);
        assert!(
            found.iter().any(|p| p.contains(&format!("account {stray} belongs to shard 1/2, not 0/2"))),
            "{found:#?}"
        );

        let mut lost = shard(0, 2);
        lost.report.scan.accounts.pop();
        let found = problems(vec![lost, shard(1, 2)]);
        assert_eq!(found, ["the shards hold 11 account(s) of the 12 listed"]);
    }

    #[test]
    fn missing_shards_are_merged_only_when_allowed_and_then_named() {
        let merged = merge(vec![shard(0, 3), shard(2, 3)], true, VERSION).unwrap();
        assert_eq!(merged.missing, [1]);
        let missing: Vec<&ScanError> =
            merged.report.scan.errors.iter().filter(|error| error.kind == MISSING_SHARD).collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].message, "shard 1 of 3 is missing: its accounts are not in this report");
        let gate = Gate { fail_on: Severity::Low, allow_errors: false };
        assert_eq!(judge(&merged.report, gate).unwrap(), Outcome::Incomplete);
    }

    #[test]
    fn the_refusal_reads_as_a_list() {
        let text = Refusal(vec!["one".into(), "two".into()]).to_string();
        assert_eq!(text, "refusing to merge: these are not the shards of one scan (2 problem(s))\n  - one\n  - two");
    }
}
