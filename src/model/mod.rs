//! The report model: findings joined with their check metadata, and what
//! the scan covered. Built once, after filtering (`crate::assemble`); every
//! output reads it. It holds its own types only, so a renderer depends on
//! nothing but this module.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub mod findings;
pub mod header;
pub mod tally;

use crate::severity::{Severity, Status};
pub use findings::{Findings, Spill, SpillWriter};
pub use header::ReportHeader;
pub use tally::{ControlTally, StatusCounts, Tally};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: Tool,
    pub scan: ScanSummary,
    /// In memory, or spilled to disk by a scan as it goes.
    pub findings: Findings,
    /// The metadata of every check the scan ran, sorted by id, so renderers
    /// can show risk and remediation without importing checks.
    #[serde(default)]
    pub checks: Vec<CheckInfo>,
    /// The compliance frameworks, each control with the checks that assess it.
    #[serde(default)]
    pub frameworks: Vec<FrameworkInfo>,
    /// What the scan store remembers: the changes since the previous scan
    /// and the trend over the last scans; `None` without history.
    #[serde(default)]
    pub history: Option<History>,
    /// The images in use that ECR's scans found vulnerabilities in, most
    /// urgent first; `None` when the scan did not read scan findings.
    #[serde(default)]
    pub vulnerabilities: Option<Vec<VulnerableImage>>,
    /// Counts over the findings, made as they were written.
    #[serde(skip)]
    pub tally: Tally,
}

impl Report {
    /// A check's metadata, when the report carries it.
    pub fn check(&self, id: &str) -> Option<&CheckInfo> {
        self.checks.iter().find(|check| check.id == id)
    }

    /// Counts the findings again: for a report whose findings were put in
    /// place without their tally (built by hand, or read back whole).
    pub fn recount(&mut self) -> anyhow::Result<()> {
        let mut tally = Tally::default();
        self.findings.each(|_, finding| {
            tally.add(finding);
            Ok(())
        })?;
        self.tally = tally;
        Ok(())
    }

    /// An account's name: its IAM alias, else its id.
    pub fn account_name<'a>(&'a self, account_id: &'a str) -> &'a str {
        self.scan.account_names.get(account_id).map_or(account_id, String::as_str)
    }
}

/// One image of an audited account's ECR, named by a task definition or run
/// by a task, with its scan findings and what makes them matter: whether it
/// runs, and whether the internet reaches what runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerableImage {
    /// 1 for the most urgent, after every account is in.
    pub rank: usize,
    pub account_id: String,
    /// The region of the registry holding it.
    pub region: String,
    /// `REPOSITORY@DIGEST`.
    pub image: String,
    pub resource_arn: String,
    pub exposure: Exposure,
    pub running_tasks: usize,
    /// `CLUSTER/SERVICE (REGION)` of the services whose tasks run it.
    pub services: Vec<String>,
    /// How the internet reaches the tasks running it.
    pub reachable_through: Vec<String>,
    /// ECR's spelling (`CRITICAL`): the most severe finding's.
    pub highest_severity: Option<String>,
    pub severity_counts: BTreeMap<String, usize>,
    /// Findings with a fix available (enhanced scanning says so; basic does not).
    pub fixable: usize,
    /// Findings with a known exploit (enhanced scanning only).
    pub exploitable: usize,
    pub findings_total: usize,
    /// The most severe findings, at most [`VulnerableImage::FINDINGS_SHOWN`].
    pub findings: Vec<VulnerabilityInfo>,
    /// `complete`, or why the scan's results are not the whole story.
    pub scan: String,
    /// Why it ranks where it does, in order of weight.
    pub reasons: Vec<String>,
}

impl VulnerableImage {
    pub const FINDINGS_SHOWN: usize = 10;

    /// Most urgent first: reachable from the internet, then running where
    /// reachability is unknown, then running internally, then not running;
    /// within each, by the worst severity, a known exploit, an available
    /// fix, then the numbers of critical and high findings.
    pub fn rank_all(images: &mut [VulnerableImage]) {
        images.sort_by(|a, b| a.urgency().cmp(&b.urgency()).then_with(|| a.identity().cmp(&b.identity())));
        for (index, image) in images.iter_mut().enumerate() {
            image.rank = index + 1;
        }
    }

    fn urgency(&self) -> impl Ord {
        let count = |severity: &str| std::cmp::Reverse(self.severity_counts.get(severity).copied().unwrap_or(0));
        (
            self.exposure,
            std::cmp::Reverse(self.highest_severity.as_deref().and_then(|name| Severity::from_str(name).ok())),
            self.exploitable == 0,
            self.fixable == 0,
            count("CRITICAL"),
            count("HIGH"),
            std::cmp::Reverse(self.running_tasks),
        )
    }

    fn identity(&self) -> (&str, &str, &str) {
        (&self.account_id, &self.region, &self.image)
    }
}

/// How the internet reaches an image, in ranking order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    /// Running, and a running task is reachable from the internet.
    Internet,
    /// Running (or maybe running), but what reaches its tasks could not be read.
    Unknown,
    /// Running, and no task running it is reachable from the internet.
    Internal,
    /// Named by a task definition, run by no task.
    NotRunning,
}

impl Exposure {
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Internet => "internet",
            Exposure::Unknown => "unknown",
            Exposure::Internal => "internal",
            Exposure::NotRunning => "not_running",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityInfo {
    pub id: String,
    pub severity: String,
    /// `openssl 3.0.1`, the first vulnerable package.
    pub package: Option<String>,
    pub fixed_in: Option<String>,
    pub fix_available: Option<String>,
    pub exploit_available: Option<String>,
    pub score: Option<f64>,
    pub uri: Option<String>,
}

/// One check's metadata as the reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInfo {
    pub id: String,
    pub service: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    /// The opaque, stable SARIF rule id (`BH0001`).
    #[serde(default)]
    pub sarif_id: String,
    pub description: String,
    pub risk: String,
    /// application, host, network or platform.
    pub shared_responsibility: String,
    pub references: Vec<String>,
    pub remediation: RemediationInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemediationInfo {
    pub text: String,
    pub cli: String,
    pub terraform: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub controls: Vec<ControlInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlInfo {
    pub id: String,
    pub title: String,
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// Where users read about bulkhead: the README of the `repository` in
/// Cargo.toml (a placeholder URL until the project is published).
pub const INFORMATION_URI: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#readme");

impl Tool {
    pub fn this() -> Tool {
        Tool { name: env!("CARGO_PKG_NAME").to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub started_at: String,
    pub finished_at: String,
    /// The identity that ran the scan, from `sts:GetCallerIdentity`.
    pub principal_arn: String,
    pub accounts: Vec<String>,
    /// `account id -> name`: the account's IAM alias, or its id when it has
    /// none or the alias could not be read (see [`Report::account_name`]).
    #[serde(default)]
    pub account_names: BTreeMap<String, String>,
    pub regions: Vec<String>,
    pub checks: Vec<String>,
    pub errors: Vec<ScanError>,
    /// Features a region does not offer, once per account, region and
    /// feature: the checks judged there without them. Not errors: they
    /// leave the scan complete.
    #[serde(default)]
    pub unavailable_features: Vec<UnavailableFeature>,
    /// The mutelist in force, if any, and its expired entries.
    pub mutelist: Option<MutelistSummary>,
    /// The AWS calls the scan made.
    #[serde(default)]
    pub stats: CallStats,
    /// Which shard of a sharded run (`scan --shard`) this report is; `None`
    /// for a whole scan, and for the report `merge` writes.
    #[serde(default)]
    pub shard: Option<ShardInfo>,
    /// `scan --organization --organizational-units`: the units (and roots)
    /// whose accounts the scan covers; `None` for any other scan.
    #[serde(default)]
    pub organizational_units: Option<Vec<String>>,
}

/// What `bulkhead merge` needs to join shards and refuse those of other runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 0-based.
    pub index: u64,
    pub count: u64,
    /// `--run-id`, else the AWS Batch array job's id; `None` otherwise.
    pub run_id: Option<String>,
    /// Of what must match across the run's shards (`crate::shard::fingerprint`).
    pub fingerprint: String,
    /// How many accounts the list held before it was cut into shards.
    pub accounts_listed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanError {
    pub account_id: String,
    pub region: String,
    pub service: String,
    pub operation: String,
    pub kind: String,
    pub message: String,
}

/// A feature a region does not offer: AWS answered the call that reads it
/// as an operation not offered there (unknown operation, not subscribed,
/// opt-in required).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnavailableFeature {
    pub account_id: String,
    pub region: String,
    /// Its name (`ECR managed signing`).
    pub feature: String,
    pub service: String,
    pub operation: String,
    /// AWS's answer (`UnknownOperationException: ...`).
    pub message: String,
    /// How the checks judged the region without it.
    pub consequence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub check_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub muted: bool,
    /// Why the finding is muted: the mutelist entry's `Reason` (or Prowler's
    /// `Description`); `null` when not muted.
    pub mute_reason: Option<String>,
    pub account_id: String,
    pub region: String,
    pub service: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: String,
    pub message: String,
    /// `framework id -> control ids` this finding counts towards.
    pub compliance: BTreeMap<String, Vec<String>>,
    /// The resource's name as AWS reports it (empty when it has none).
    #[serde(default)]
    pub resource_name: String,
    /// The resource's tags, as AWS reports them.
    #[serde(default)]
    pub resource_tags: BTreeMap<String, String>,
    /// Free text AWS holds about the resource (a security group's description).
    #[serde(default)]
    pub resource_details: String,
    /// When this finding's run of FAILs began (RFC 3339), as far back as the
    /// scan store or baseline reaches; this scan's start for a new FAIL.
    #[serde(default)]
    pub failing_since: Option<String>,
}

/// What the report says about the mutelist: which entries were in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutelistSummary {
    pub path: String,
    pub entries: usize,
    /// Entries past their `Expires` date: they muted nothing in this scan.
    pub expired: Vec<ExpiredEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredEntry {
    pub account: String,
    pub check: String,
    pub expires: String,
    pub reason: String,
}

/// The AWS calls the scan made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStats {
    /// Calls the collectors made, pages counted one by one.
    pub calls: u64,
    /// HTTP attempts, retries included.
    pub attempts: u64,
    pub retries: u64,
    /// Attempts the service answered with a throttling error.
    pub throttles: u64,
    /// Calls on the longest chain in which each call needed the one before.
    pub critical_path_depth: u32,
    /// Sorted by service, region, operation.
    pub operations: Vec<OperationStats>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationStats {
    pub service: String,
    pub operation: String,
    pub region: String,
    pub calls: u64,
    pub attempts: u64,
    pub retries: u64,
    pub throttles: u64,
}

/// The report's view of history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Changes since the previous scan (or the baseline); `None` for the first scan.
    pub changes: Option<Changes>,
    /// FAILs per check and per account over the last scans, oldest first.
    pub trends: Vec<Trend>,
}

/// A scan as history names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInfo {
    /// Its id in the scan store; `None` for a scan read from a report file.
    pub id: Option<i64>,
    pub label: String,
    pub started_at: String,
}

/// What changed between two scans (`bulkhead diff`, and the HTML report's
/// "Changes since" section).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    pub base: ScanInfo,
    pub new: ScanInfo,
    /// FAIL now, not FAIL before (PASS, ERROR or not there).
    pub new_failures: Vec<ChangedFinding>,
    /// FAIL before, PASS now or the resource is gone; as the base saw it.
    pub resolved_failures: Vec<ChangedFinding>,
    pub still_failing: Vec<ChangedFinding>,
    pub new_errors: Vec<ChangedFinding>,
    /// ERROR before, a verdict now (or the resource is gone).
    pub resolved_errors: Vec<ChangedFinding>,
    pub resources_appeared: Vec<ResourceRef>,
    pub resources_disappeared: Vec<ResourceRef>,
    /// Checks one scan ran and the other did not: their findings are not compared.
    pub checks_added: Vec<String>,
    pub checks_removed: Vec<String>,
    pub accounts_added: Vec<String>,
    pub accounts_removed: Vec<String>,
    pub regions_added: Vec<String>,
    pub regions_removed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedFinding {
    pub account_id: String,
    pub region: String,
    pub check_id: String,
    pub resource_id: String,
    pub resource_arn: String,
    pub severity: Severity,
    pub status: Status,
    pub muted: bool,
    pub message: String,
    pub failing_since: Option<String>,
    /// Whole days from `failing_since` to the scan's start.
    pub age_days: Option<i64>,
    /// For a resolved entry: why (`passes now`, `resource no longer exists`).
    pub resolution: Option<String>,
}

impl ChangedFinding {
    pub fn sort_key(&self) -> (&str, &str, &str, &str) {
        (&self.check_id, &self.account_id, &self.region, &self.resource_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceRef {
    pub account_id: String,
    pub region: String,
    pub resource_id: String,
    pub resource_arn: String,
}

/// Unmuted FAILs of one check or one account over the last scans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// `check` or `account`.
    pub kind: String,
    pub subject: String,
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub scan_id: i64,
    pub started_at: String,
    /// `None` when that scan did not cover the subject.
    pub fail: Option<u64>,
}
