//! `bulkhead merge`: the JSON reports of a sharded scan joined into the
//! report one process scanning every account would have written, in every
//! format, or a refusal that lists every reason the files are not the
//! shards of one run.
//!
//! The shards are read twice, as streams: first their headers, which must
//! agree (every problem is listed at once); then their findings, one at a
//! time into the spill file every format is written from, so that merge
//! holds one account's finding keys, never the findings. A finding must be
//! of an account its shard lists, and no finding key may appear twice.
//!
//! What differs from a one-process scan: `started_at` is the earliest
//! shard's start and `finished_at` the latest shard's end; the call stats
//! are the shards' sums (each shard made its own `sts:GetCallerIdentity`,
//! its own `DescribeRegions`, and the critical path is the deepest shard's);
//! `principal_arn` is the lowest shard's; history (changes, trends) is not
//! in the v1 JSON, so the merged report has none.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::cli::MergeArgs;
use crate::model::{
    CallStats, OperationStats, Report, ReportFinding, ReportHeader, ScanError, ShardInfo, SpillWriter, Tally,
    VulnerableImage,
};
use crate::outcome::{Gate, Outcome, Verdict};
use crate::report;
use crate::report::json::{self, Exactness, ReadError};
use crate::shard::{fnv1a64, shard_of};

mod record;
mod reports;

/// One shard's report, read without its findings, and the file it came from.
#[derive(Debug, Clone)]
pub struct ShardReport {
    pub path: PathBuf,
    pub header: ReportHeader,
}

/// Why the files cannot be merged: all the problems found, not the first.
/// A usage error: the command exits 2.
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

/// What hands a shard's findings, one at a time, to a sink: its file read
/// as a stream, in `bulkhead merge`.
pub type ReadFindings<'a> =
    &'a mut dyn FnMut(&ShardReport, &mut dyn FnMut(ReportFinding) -> Result<()>) -> Result<(), ReadError>;

/// `bulkhead merge`: reads, merges, writes, judges; with a store or a
/// sink, records and delivers as a scan does ([`record`]).
pub async fn run(args: &MergeArgs) -> Result<Outcome> {
    let settings = args.settings();
    let on_s3 = args.reports.iter().any(|report| report.s3().is_some());
    let session = match on_s3 || settings.sinks.any(&settings) {
        true => Some(record::session(args).await?),
        false => None,
    };
    // Reports on S3 are read from local copies, removed when merge ends.
    let downloads = match on_s3 {
        true => Some(
            std::fs::create_dir_all(&settings.output.dir)
                .and_then(|()| tempfile::Builder::new().prefix(".shards.").tempdir_in(&settings.output.dir))
                .with_context(|| format!("a folder for the shard reports in {}", settings.output.dir.display()))?,
        ),
        false => None,
    };
    let paths = reports::local_paths(&args.reports, session.as_ref(), downloads.as_ref().map(|dir| dir.path())).await?;
    let mut problems = Vec::new();
    let mut shards = Vec::new();
    for path in &paths {
        match json::read_header(path, Exactness::Exact) {
            Ok(header) => shards.push(ShardReport { path: path.clone(), header }),
            Err(err) => problems.push(err.to_string()),
        }
    }
    let plan = match plan(shards, args.allow_missing_shards, env!("CARGO_PKG_VERSION")) {
        Ok(plan) if problems.is_empty() => plan,
        Ok(_) => return Err(Refusal(problems).into()),
        Err(Refusal(more)) => {
            problems.extend(more);
            return Err(Refusal(problems).into());
        }
    };
    let dir = &settings.output.dir;
    let _lock = crate::files::OutputLock::acquire(dir, &args.output_name)?;
    let merged = plan.join(dir, &mut |shard, sink| json::read(&shard.path, Exactness::Exact, sink).map(drop))?;
    warn_missing(&merged);
    if settings.store.is_some() || settings.sinks.any(&settings) {
        return record::deliver(merged.report, &settings, session).await;
    }
    let report = merged.report;
    let gate = Gate { fail_on: args.fail_on, allow_errors: args.allow_errors };
    let outcome = judge(&report, gate)?;
    let written = report::write_reports(&report, &args.output_formats, dir, &args.output_name)?;
    if !args.quiet {
        eprintln!("{}", crate::progress::summary(&report, &written, args.fail_on, outcome));
    }
    Ok(outcome)
}

fn warn_missing(merged: &Merged) {
    if !merged.missing.is_empty() {
        let missing: Vec<String> = merged.missing.iter().map(u64::to_string).collect();
        eprintln!(
            "bulkhead: warning: merged without shard(s) {} of {}: their accounts are not in the report",
            missing.join(", "),
            merged.count
        );
    }
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

/// The `kind` of the error a missing shard leaves in the merged report.
pub const MISSING_SHARD: &str = "missing_shard";

/// Shards whose headers agree, in index order: what [`Plan::join`] merges.
#[derive(Debug)]
pub struct Plan {
    shards: Vec<ShardReport>,
    missing: Vec<u64>,
    count: u64,
    started_at: String,
    finished_at: String,
}

/// Checks that the headers are those of the shards of one run. `version` is
/// this bulkhead's: the merged report is rendered by this binary, so it
/// must be the one that wrote the shards for the result to be what one
/// process would have written.
pub fn plan(shards: Vec<ShardReport>, allow_missing: bool, version: &str) -> Result<Plan, Refusal> {
    let mut problems = Vec::new();
    let mut sharded: Vec<(ShardReport, ShardInfo)> = Vec::new();
    for shard in shards {
        match shard.header.scan.shard.clone() {
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
    agreements(&sharded, version, &mut problems);
    let (count, missing) = indices(&sharded, allow_missing, &mut problems);
    accounts(&sharded, missing.is_empty(), &mut problems);
    let started = timestamps(&sharded, |header| &header.scan.started_at, &mut problems);
    let finished = timestamps(&sharded, |header| &header.scan.finished_at, &mut problems);
    if !problems.is_empty() {
        return Err(Refusal(problems));
    }
    sharded.sort_by_key(|(_, info)| info.index);
    Ok(Plan {
        shards: sharded.into_iter().map(|(shard, _)| shard).collect(),
        missing,
        count,
        started_at: started.into_iter().min().map(|(_, text)| text).unwrap_or_default(),
        finished_at: finished.into_iter().max().map(|(_, text)| text).unwrap_or_default(),
    })
}

/// What must be the same in every shard of one run.
fn agreements(sharded: &[(ShardReport, ShardInfo)], version: &str, problems: &mut Vec<String>) {
    let mut agree = |what: &str, value: &dyn Fn(&ReportHeader, &ShardInfo) -> String| {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (shard, info) in sharded {
            values.entry(value(&shard.header, info)).or_default().push(shard.path.display().to_string());
        }
        if values.len() > 1 {
            let listed: Vec<String> =
                values.iter().map(|(value, paths)| format!("{value} ({})", paths.join(", "))).collect();
            problems.push(format!("different {what}: {}", listed.join(" vs ")));
        }
    };
    agree("run ids", &|_, info| info.run_id.clone().map_or_else(|| "no run id".to_owned(), |id| format!("{id:?}")));
    agree("bulkhead versions", &|header, _| header.tool.version.clone());
    agree("shard counts", &|_, info| info.count.to_string());
    agree("fingerprints (checks, region flags, account list, config or mutelist)", &|_, info| info.fingerprint.clone());
    // Long values are named by a digest: the message says which files differ.
    let digest = |text: String| format!("fnv1a64:{:016x}", fnv1a64(text.as_bytes()));
    agree("check selections", &|header, _| {
        let checks = &header.scan.checks;
        format!("{} checks, {}", checks.len(), digest(checks.join(",")))
    });
    agree("check metadata", &|header, _| digest(format!("{:?}", header.checks)));
    agree("compliance frameworks", &|header, _| digest(format!("{:?}", header.frameworks)));
    agree("mutelists", &|header, _| match &header.scan.mutelist {
        Some(mutelist) => {
            format!("{} ({} entries, {})", mutelist.path, mutelist.entries, digest(format!("{mutelist:?}")))
        }
        None => "no mutelist".to_owned(),
    });
    for (shard, _) in sharded {
        if shard.header.tool.version != version {
            problems.push(format!(
                "{}: written by bulkhead {}, and this is bulkhead {version}: merge with the version that scanned",
                shard.path.display(),
                shard.header.tool.version
            ));
        }
    }
}

/// Every index below the count, each once; returns the count and the
/// indices missing (a problem unless `allow_missing`).
fn indices(sharded: &[(ShardReport, ShardInfo)], allow_missing: bool, problems: &mut Vec<String>) -> (u64, Vec<u64>) {
    let count = sharded[0].1.count;
    let mut by_index: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for (shard, info) in sharded {
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
    (count, missing)
}

/// Every account in the shard that owns it, in one shard only, and none
/// lost when every shard is here.
fn accounts(sharded: &[(ShardReport, ShardInfo)], all_shards: bool, problems: &mut Vec<String>) {
    let mut owners: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (shard, info) in sharded {
        for account in &shard.header.scan.accounts {
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
    if all_shards && owners.len() as u64 != listed {
        // Every shard is here, yet accounts of the list are not: an
        // account must never disappear in a merge.
        problems.push(format!("the shards hold {} account(s) of the {listed} listed", owners.len()));
    }
}

/// Each shard's timestamp, parsed: their text need not sort as time does
/// (the fraction of a second has as many digits as it needs).
fn timestamps(
    shards: &[(ShardReport, ShardInfo)],
    field: impl Fn(&ReportHeader) -> &String,
    problems: &mut Vec<String>,
) -> Vec<(Timestamp, String)> {
    let mut parsed = Vec::new();
    for (shard, _) in shards {
        let text = field(&shard.header);
        match text.parse::<Timestamp>() {
            Ok(at) => parsed.push((at, text.clone())),
            Err(err) => problems.push(format!("{}: timestamp {text:?}: {err}", shard.path.display())),
        }
    }
    parsed
}

impl Plan {
    /// Streams every shard's findings, in index order, into a spill file in
    /// `dir` and the tally, then joins the headers. Findings that break the
    /// rules below, and shards whose findings cannot be read, are refused
    /// together once every shard has been read.
    pub fn join(self, dir: &Path, read: ReadFindings<'_>) -> Result<Merged> {
        let spill = SpillWriter::create_in(dir)
            .with_context(|| format!("creating the merged findings' temporary file in {}", dir.display()))?;
        let mut joining = Joining::new(spill);
        let mut problems = Vec::new();
        for shard in &self.shards {
            let mut failed = None;
            let listed: HashSet<&str> = shard.header.scan.accounts.iter().map(String::as_str).collect();
            joining.account = None;
            let result = read(shard, &mut |finding| {
                joining.take(finding, &shard.path, &listed).map_err(|err| {
                    let err = anyhow::Error::new(err).context("writing the merged findings to their temporary file");
                    failed = Some(format!("{err:#}"));
                    err
                })
            });
            if let Some(failed) = failed {
                anyhow::bail!(failed);
            }
            if let Err(err) = result {
                problems.push(err.to_string());
            }
        }
        problems.extend(joining.problems());
        if !problems.is_empty() {
            return Err(Refusal(problems).into());
        }
        let findings = joining.spill.finish().context("reading back the merged findings' temporary file")?;
        let header = join_headers(self.shards, &self.missing, self.count);
        let mut report = header.into_report(findings, joining.tally);
        report.scan.started_at = self.started_at;
        report.scan.finished_at = self.finished_at;
        Ok(Merged { report, missing: self.missing, count: self.count })
    }
}

/// The findings as they stream in, and what is wrong with them.
struct Joining {
    spill: SpillWriter,
    tally: Tally,
    /// The account whose findings are coming in, and their keys so far:
    /// region, check, resource id and ARN.
    account: Option<String>,
    keys: HashSet<(String, String, String, String)>,
    /// Every account whose findings began, to find one whose findings are apart.
    begun: HashSet<String>,
    /// `(shard path, account) -> findings` of accounts the shard does not list.
    foreign: BTreeMap<(String, String), u64>,
    /// `shard path -> (findings, the first)` whose key came before.
    repeated: BTreeMap<String, (u64, String)>,
    /// `(shard path, account)` whose findings are not together.
    apart: BTreeSet<(String, String)>,
}

impl Joining {
    fn new(spill: SpillWriter) -> Joining {
        Joining {
            spill,
            tally: Tally::default(),
            account: None,
            keys: HashSet::new(),
            begun: HashSet::new(),
            foreign: BTreeMap::new(),
            repeated: BTreeMap::new(),
            apart: BTreeSet::new(),
        }
    }

    /// Writes a finding of the shard at `path`, which lists `listed`, unless
    /// it breaks a rule (then it is counted for the refusal).
    fn take(&mut self, finding: ReportFinding, path: &Path, listed: &HashSet<&str>) -> std::io::Result<()> {
        let account = finding.account_id.as_str();
        if !listed.contains(account) {
            *self.foreign.entry((path.display().to_string(), account.to_owned())).or_default() += 1;
            return Ok(());
        }
        if self.account.as_deref() != Some(account) {
            if !self.begun.insert(account.to_owned()) {
                self.apart.insert((path.display().to_string(), account.to_owned()));
                return Ok(());
            }
            self.spill.begin_account(account);
            self.account = Some(account.to_owned());
            self.keys.clear();
        }
        let key = (
            finding.region.clone(),
            finding.check_id.clone(),
            finding.resource_id.clone(),
            finding.resource_arn.clone(),
        );
        if !self.keys.insert(key) {
            let first = format!(
                "account {account}, region {}, check {}, resource {} ({})",
                finding.region, finding.check_id, finding.resource_id, finding.resource_arn
            );
            self.repeated.entry(path.display().to_string()).or_insert((0, first)).0 += 1;
            return Ok(());
        }
        self.spill.add(&finding)?;
        self.tally.add(&finding);
        Ok(())
    }

    fn problems(&self) -> Vec<String> {
        let foreign = self.foreign.iter().map(|((path, account), findings)| {
            format!("{path}: {findings} finding(s) of account {account}, which the shard does not list")
        });
        let repeated = self.repeated.iter().map(|(path, (findings, first))| {
            format!("{path}: {findings} finding(s) repeat a finding key that came before (the first: {first})")
        });
        let apart = self.apart.iter().map(|(path, account)| {
            format!("{path}: the findings of account {account} are not together, as bulkhead writes them")
        });
        foreign.chain(repeated).chain(apart).collect()
    }
}

/// The shards' headers, in index order, as one: accounts, regions and
/// errors together and sorted, call stats summed, images ranked again.
fn join_headers(shards: Vec<ShardReport>, missing: &[u64], count: u64) -> ReportHeader {
    let mut headers = shards.into_iter().map(|shard| shard.header);
    let mut merged = headers.next().expect("a plan has a shard");
    for header in headers {
        let scan = header.scan;
        merged.scan.accounts.extend(scan.accounts);
        merged.scan.account_names.extend(scan.account_names);
        merged.scan.regions.extend(scan.regions);
        merged.scan.errors.extend(scan.errors);
        merged.scan.unavailable_features.extend(scan.unavailable_features);
        merged.scan.stats = add_stats(std::mem::take(&mut merged.scan.stats), scan.stats);
        // Shards select the same checks, so they all read scan findings or none do.
        if let (Some(merged), Some(images)) = (&mut merged.vulnerabilities, header.vulnerabilities) {
            merged.extend(images);
        }
    }
    if let Some(images) = &mut merged.vulnerabilities {
        VulnerableImage::rank_all(images);
    }
    let scan = &mut merged.scan;
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
    scan.unavailable_features = sorted(std::mem::take(&mut scan.unavailable_features));
    scan.shard = None;
    merged
}

fn sorted<T: Ord>(items: Vec<T>) -> Vec<T> {
    items.into_iter().collect::<BTreeSet<_>>().into_iter().collect()
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

    /// Shard `index` of `count` of a scan of `listed()`, without its
    /// findings, which [`findings_of`] gives.
    fn shard(index: u64, count: u64) -> ShardReport {
        let accounts = owned(&listed(), index, count);
        let header = ReportHeader {
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
                unavailable_features: Vec::new(),
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
            checks: vec![],
            frameworks: vec![],
            vulnerabilities: None,
        };
        ShardReport { path: PathBuf::from(format!("shard-{index}.json")), header }
    }

    /// A shard's findings: per account it lists, two findings of check `b`
    /// then one of check `a` (registry order, not alphabetical), the
    /// accounts in reverse order (as `--accounts` may give).
    fn findings_of(shard: &ShardReport) -> Vec<ReportFinding> {
        shard
            .header
            .scan
            .accounts
            .iter()
            .rev()
            .flat_map(|account| {
                [finding(account, "b", "sg-2"), finding(account, "b", "sg-1"), finding(account, "a", "sg-9")]
            })
            .collect()
    }

    /// Hands `findings` to `sink`, as reading a shard's file does.
    fn hand(
        shard: &ShardReport,
        findings: Vec<ReportFinding>,
        sink: &mut dyn FnMut(ReportFinding) -> Result<()>,
    ) -> Result<(), ReadError> {
        for finding in findings {
            sink(finding)
                .map_err(|err| ReadError::Refused { path: shard.path.clone(), message: format!("{err:#}") })?;
        }
        Ok(())
    }

    /// Merges the shards, each shard's findings read by `read`.
    fn merge_reading(shards: Vec<ShardReport>, allow_missing: bool, read: ReadFindings<'_>) -> Result<Merged> {
        let dir = tempfile::tempdir().unwrap();
        plan(shards, allow_missing, VERSION)?.join(dir.path(), read)
    }

    fn merge(shards: Vec<ShardReport>, allow_missing: bool) -> Result<Merged> {
        merge_reading(shards, allow_missing, &mut |shard, sink| hand(shard, findings_of(shard), sink))
    }

    fn refusal(merged: Result<Merged>) -> Vec<String> {
        merged.unwrap_err().downcast::<Refusal>().unwrap().0
    }

    fn problems(shards: Vec<ShardReport>) -> Vec<String> {
        refusal(merge(shards, false))
    }

    #[test]
    fn shards_join_as_one_process_would_have_written() {
        let merged = merge(vec![shard(2, 3), shard(0, 3), shard(1, 3)], false).unwrap();
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
        let merged = merge(vec![shard(0, 1)], false).unwrap();
        assert_eq!(merged.report.scan.accounts.len(), 12);
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let mut other_run = shard(1, 4);
        other_run.header.scan.shard.as_mut().unwrap().run_id = Some("run-2".into());
        let mut other_settings = shard(2, 4);
        other_settings.header.scan.shard.as_mut().unwrap().fingerprint = "fnv1a64:00000000000000bb".into();
        let mut whole = shard(3, 4);
        whole.path = "whole.json".into();
        whole.header.scan.shard = None;
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
        newer.header.tool.version = "0.2.0".into();
        let mut fewer_checks = shard(0, 2);
        fewer_checks.header.scan.checks = vec!["a".into()];
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
        moved.header.scan.accounts.push(stray.clone());
        let found = problems(vec![moved, shard(1, 2)]);
        assert!(
            found.iter().any(|p| p.contains(&format!("account {stray} belongs to shard 1/2, not 0/2"))),
            "{found:#?}"
        );

        let mut lost = shard(0, 2);
        lost.header.scan.accounts.pop();
        let found = problems(vec![lost, shard(1, 2)]);
        assert_eq!(found, ["the shards hold 11 account(s) of the 12 listed"]);
    }

    #[test]
    fn missing_shards_are_merged_only_when_allowed_and_then_named() {
        let merged = merge(vec![shard(0, 3), shard(2, 3)], true).unwrap();
        assert_eq!(merged.missing, [1]);
        let missing: Vec<&ScanError> =
            merged.report.scan.errors.iter().filter(|error| error.kind == MISSING_SHARD).collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].message, "shard 1 of 3 is missing: its accounts are not in this report");
        let gate = Gate { fail_on: Severity::Low, allow_errors: false };
        // A FAIL passes the gate: it wins over the missing shard.
        assert_eq!(judge(&merged.report, gate).unwrap(), Outcome::Failed);
        let above = Gate { fail_on: Severity::Critical, allow_errors: false };
        assert_eq!(judge(&merged.report, above).unwrap(), Outcome::Incomplete);
    }

    #[test]
    fn the_refusal_reads_as_a_list() {
        let text = Refusal(vec!["one".into(), "two".into()]).to_string();
        assert_eq!(text, "refusing to merge: these are not the shards of one scan (2 problem(s))\n  - one\n  - two");
    }

    /// A shard's file with another shard's findings appended, its accounts
    /// unchanged: the findings are not its own to carry.
    #[test]
    fn a_finding_of_an_account_its_shard_does_not_list_is_refused() {
        let shards = vec![shard(0, 2), shard(1, 2)];
        let intruders = findings_of(&shards[0]);
        let found = refusal(merge_reading(shards, false, &mut |shard, sink| {
            let mut findings = findings_of(shard);
            if shard.path == Path::new("shard-1.json") {
                findings.extend(intruders.clone());
            }
            hand(shard, findings, sink)
        }));
        let expected: Vec<String> = sorted(owned(&listed(), 0, 2))
            .iter()
            .map(|account| format!("shard-1.json: 3 finding(s) of account {account}, which the shard does not list"))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_finding_key_that_comes_twice_is_refused() {
        let found = refusal(merge_reading(vec![shard(0, 2), shard(1, 2)], false, &mut |shard, sink| {
            let mut findings = findings_of(shard);
            if shard.path == Path::new("shard-0.json") {
                let again = ReportFinding { message: "another message".into(), ..findings[0].clone() };
                findings.insert(2, again);
            }
            hand(shard, findings, sink)
        }));
        let account = &findings_of(&shard(0, 2))[0].account_id;
        let first = format!(
            "account {account}, region eu-west-1, check b, resource sg-2 \
             (arn:aws:ec2:eu-west-1:{account}:security-group/sg-2)"
        );
        assert_eq!(
            found,
            [format!("shard-0.json: 1 finding(s) repeat a finding key that came before (the first: {first})")]
        );
    }

    #[test]
    fn an_accounts_findings_apart_are_refused() {
        let found = refusal(merge_reading(vec![shard(0, 2), shard(1, 2)], false, &mut |shard, sink| {
            let mut findings = findings_of(shard);
            if shard.path == Path::new("shard-0.json") {
                // The first account's last finding after the next account's.
                let last = findings.remove(2);
                findings.insert(5, last);
            }
            hand(shard, findings, sink)
        }));
        let account = &findings_of(&shard(0, 2))[0].account_id;
        assert_eq!(
            found,
            [format!("shard-0.json: the findings of account {account} are not together, as bulkhead writes them")]
        );
    }

    #[test]
    fn a_shard_whose_findings_cannot_be_read_is_refused_with_the_other_problems() {
        let found = refusal(merge_reading(vec![shard(0, 2), shard(1, 2)], false, &mut |shard, sink| {
            if shard.path == Path::new("shard-0.json") {
                return Err(ReadError::NotAReport { path: shard.path.clone(), reason: "finding 7: no".into() });
            }
            let mut findings = findings_of(shard);
            findings.push(finding("999999999999", "a", "sg-1"));
            hand(shard, findings, sink)
        }));
        assert_eq!(
            found,
            [
                "shard-0.json is not a bulkhead JSON report: finding 7: no",
                "shard-1.json: 1 finding(s) of account 999999999999, which the shard does not list"
            ]
        );
    }

    #[test]
    fn the_merged_findings_are_counted_as_they_stream() {
        let merged = merge(vec![shard(0, 2), shard(1, 2)], false).unwrap();
        let tally = &merged.report.tally;
        assert_eq!((tally.total.fail, tally.total.findings()), (36, 36));
        assert_eq!(tally.check("b").fail, 24);
        assert_eq!(tally.by_account.len(), 12);
        assert!(matches!(merged.report.findings, crate::model::Findings::Spilled(_)), "written from the spill");
    }
}
