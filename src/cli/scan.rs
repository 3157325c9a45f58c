//! The arguments of the commands that scan or join scans: `scan`,
//! `accounts`, `merge` and `evaluate`, with how accounts, roles and shards
//! are given.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{ArgGroup, Args, ValueEnum};

use super::parse::{
    parse_account_id, parse_external_id, parse_output_name, parse_parent_id, parse_role_name, parse_role_path,
    parse_session_name,
};
use super::{EXIT_CODES, EvaluationArgs, SelectionArgs, exit_status_help};
use crate::aws::session::RetryMode;
use crate::report;
use crate::severity::Severity;
use crate::shard::{Shard, ShardFlags};

#[derive(Debug, Args)]
#[command(after_long_help = exit_status_help(EXIT_CODES))]
// One source of accounts: a list, the organization, or (neither) the caller's own.
#[command(group(ArgGroup::new("fleet").args(["accounts", "organization"])))]
pub struct ScanArgs {
    /// Named profile from the AWS config files, which wins over credentials in
    /// the environment (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Scan these accounts (12-digit ids) through the role --role-name in
    /// each; default: the account the credentials belong to.
    #[arg(long, value_delimiter = ',', value_name = "ID,...", requires = "role_name", value_parser = parse_account_id)]
    pub accounts: Option<Vec<String>>,

    /// Scan every active account of the AWS Organization (from its management
    /// account or a delegated administrator), each but the caller's own
    /// through the role --role-name; see docs/organizations.md.
    #[arg(long, requires = "role_name")]
    pub organization: bool,

    #[command(flatten)]
    pub organization_selection: OrganizationSelection,

    #[command(flatten)]
    pub role: RoleArgs,

    /// Region for global calls (STS, DescribeRegions); default: the profile's, else us-east-1.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Send every AWS call to this endpoint (an emulator), a URL with its
    /// scheme: http://127.0.0.1:4566. AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL", value_parser = crate::aws::session::parse_endpoint_url)]
    pub endpoint_url: Option<String>,

    /// Scan only these regions (default: every enabled region).
    #[arg(long, value_delimiter = ',', value_name = "REGION,...")]
    pub regions: Option<Vec<String>>,

    /// Skip these regions.
    #[arg(long, value_delimiter = ',', value_name = "REGION,...")]
    pub exclude_regions: Vec<String>,

    /// At most this many AWS calls in flight in all.
    #[arg(long, default_value = "128", value_name = "N")]
    pub max_concurrency: NonZeroUsize,

    /// At most this many accounts collected at once; each is evaluated and
    /// written out as soon as it is complete, so memory grows with this
    /// number, not with the accounts scanned (default: --max-concurrency / 8).
    #[arg(long, value_name = "N")]
    pub max_accounts_in_flight: Option<NonZeroUsize>,

    /// At most this many AWS calls in flight per service and region
    /// (default: --max-concurrency). Within it each endpoint finds its own
    /// pace: it starts at 8 calls, grows while they are answered quickly
    /// and halves when AWS throttles.
    #[arg(long, value_name = "N")]
    pub max_concurrency_per_endpoint: Option<NonZeroUsize>,

    /// How the SDK retries throttled and transient failures. Standard by
    /// default: adaptive's client-side limiter, once throttled, slowed a
    /// fault-injected scan from 2-12 s to 12-91 s (localstack/README.md).
    #[arg(long, value_enum, default_value = "standard")]
    pub retry_mode: RetryMode,

    /// Attempts per call, the first included.
    #[arg(long, default_value = "8", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,

    /// Seconds to wait for a connection.
    #[arg(long, default_value = "10", value_name = "SECONDS")]
    pub connect_timeout: u64,

    /// Seconds one attempt of a call may take.
    #[arg(long, default_value = "60", value_name = "SECONDS")]
    pub operation_timeout: u64,

    /// Print the AWS calls made, per service and operation, with retries,
    /// throttles and the critical path (the JSON report always has them).
    #[arg(long)]
    pub stats: bool,

    /// Also write the collected inventory to this file (gzip-compressed
    /// JSON), for `bulkhead evaluate` to re-run checks on it offline.
    #[arg(long, value_name = "PATH")]
    pub save_inventory: Option<PathBuf>,

    #[command(flatten)]
    pub sharding: ShardArgs,

    #[command(flatten)]
    pub selection: SelectionArgs,

    #[command(flatten)]
    pub evaluation: EvaluationArgs,
}

/// How the role in each account of --accounts or --organization is assumed.
#[derive(Debug, Clone, Args)]
pub struct RoleArgs {
    /// The role to assume in each of --accounts or the organization's
    /// accounts (e.g. a read-only audit role).
    #[arg(long, value_name = "NAME", requires = "fleet", value_parser = parse_role_name)]
    pub role_name: Option<String>,

    /// The role's IAM path, `/` or `/like/this/`.
    #[arg(long, default_value = "/", value_name = "PATH", requires = "role_name", value_parser = parse_role_path)]
    pub role_path: String,

    /// The external id the role's trust policy requires (sts:ExternalId).
    #[arg(long, value_name = "ID", requires = "role_name", value_parser = parse_external_id)]
    pub external_id: Option<String>,

    /// The session name, seen in each account's CloudTrail as the role session.
    #[arg(long, default_value = "bulkhead", value_name = "NAME", requires = "role_name", value_parser = parse_session_name)]
    pub role_session_name: String,

    /// How long each assumed session lasts, in seconds (900 to 43200, at most
    /// the role's maximum session duration); a scan that outlives it renews it.
    /// Default: STS's own, one hour.
    #[arg(long, value_name = "SECONDS", requires = "role_name", value_parser = clap::value_parser!(u64).range(900..=43200))]
    pub role_duration: Option<u64>,
}

/// Which of the organization's accounts: `--organizational-units` and
/// `--exclude-accounts`, for `scan --organization` and `accounts`.
#[derive(Debug, Clone, Default, Args)]
pub struct OrganizationSelection {
    /// Only the accounts under these organizational units (ou-...) or roots
    /// (r-...), nested units included: the caller's own only when under one.
    #[arg(long, value_delimiter = ',', value_name = "OU,...", requires = "organization", value_parser = parse_parent_id)]
    pub organizational_units: Option<Vec<String>>,

    /// Leave these accounts out (the caller's own included).
    #[arg(long, value_delimiter = ',', value_name = "ID,...", requires = "organization", value_parser = parse_account_id)]
    pub exclude_accounts: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// The accounts of the AWS Organization (the only source so far).
    #[arg(long, required = true)]
    pub organization: bool,

    #[command(flatten)]
    pub selection: OrganizationSelection,

    /// `json`: a plain array of {account_id, name, email, state, parent_id},
    /// one object per account, for fan-out engines (docs/organizations.md).
    #[arg(long, value_enum, default_value = "text")]
    pub format: AccountsFormat,

    /// Named profile from the AWS config files, which wins over credentials in
    /// the environment (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Region for STS; Organizations is always called in its partition's home region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Send every AWS call to this endpoint (an emulator), a URL with its
    /// scheme: http://127.0.0.1:4566. AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL", value_parser = crate::aws::session::parse_endpoint_url)]
    pub endpoint_url: Option<String>,

    /// Attempts per call, the first included.
    #[arg(long, default_value = "8", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccountsFormat {
    Text,
    Json,
}

/// Splitting the accounts across processes (docs/fleet.md).
#[derive(Debug, Clone, Default, Args)]
pub struct ShardArgs {
    /// Scan only shard INDEX of COUNT (INDEX from 0): the accounts whose
    /// FNV-1a 64 hash of the id, mod COUNT, is INDEX. Join the shards'
    /// JSON reports with `bulkhead merge`.
    #[arg(long, value_name = "INDEX/COUNT")]
    pub shard: Option<Shard>,

    /// The number of shards, the index read from AWS_BATCH_JOB_ARRAY_INDEX
    /// (AWS Batch array job) or JOB_COMPLETION_INDEX (Kubernetes Indexed Job).
    #[arg(long, value_name = "COUNT")]
    pub shard_count: Option<u64>,

    /// Names the sharded run, so that merge refuses shards of another run
    /// [default: AWS_BATCH_JOB_ID without its :INDEX, else none].
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,
}

impl From<&ShardArgs> for ShardFlags {
    fn from(args: &ShardArgs) -> ShardFlags {
        ShardFlags { shard: args.shard, shard_count: args.shard_count, run_id: args.run_id.clone() }
    }
}

/// `bulkhead merge`'s exit codes: a scan's, judged on the merged findings.
pub const MERGE_EXIT_CODES: &[(u8, &str)] = &[
    (0, "merged, and no unmuted FAIL is at or above --fail-on"),
    (1, "a report could not be read or written"),
    (2, "the reports are not the shards of one run (every problem is listed); nothing was written"),
    (3, "an unmuted FAIL at or above --fail-on"),
    (4, "some findings are ERROR, or shards are missing under --allow-missing-shards (unless --allow-errors)"),
];

#[derive(Debug, Args)]
#[command(after_long_help = exit_status_help(MERGE_EXIT_CODES))]
pub struct MergeArgs {
    /// The shards' JSON reports (`bulkhead scan --shard ... --output-formats json`).
    #[arg(value_name = "SHARD_REPORT", required = true)]
    pub reports: Vec<PathBuf>,

    /// Folder for the merged reports.
    #[arg(long, default_value = "bulkhead-output", value_name = "DIR")]
    pub output_dir: PathBuf,

    /// Report formats to write (as for `scan`).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "json,html", value_name = "FORMAT,...")]
    pub output_formats: Vec<report::Format>,

    /// Report file name, without extension.
    #[arg(long, default_value = "bulkhead", value_name = "NAME", value_parser = parse_output_name)]
    pub output_name: String,

    /// Exit 3 when an unmuted FAIL of at least this severity exists.
    #[arg(long, default_value = "low", value_name = "SEVERITY")]
    pub fail_on: Severity,

    /// Exit 0/3 even when some findings are ERROR or shards are missing.
    #[arg(long)]
    pub allow_errors: bool,

    /// Merge even when some shards' reports are missing: the merged report
    /// names them in its errors, and the exit code is 4 unless --allow-errors.
    #[arg(long)]
    pub allow_missing_shards: bool,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
// An evaluation records in a store only when one is named: its help says so.
#[command(mut_arg("store", |arg| arg.help(
    "Record this evaluation in this scan store (SQLite) and compare with its latest scan; \
     without it, nothing is recorded (a --baseline is still compared with)"
)))]
pub struct EvaluateArgs {
    /// The saved inventory (`bulkhead scan --save-inventory PATH`).
    #[arg(long, value_name = "PATH")]
    pub inventory: PathBuf,

    #[command(flatten)]
    pub selection: SelectionArgs,

    #[command(flatten)]
    pub evaluation: EvaluationArgs,
}
