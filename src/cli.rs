//! The command line. Parsing only: validation that needs the check registry
//! happens in [`crate::plan`], still before any AWS call.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

use crate::aws::session::RetryMode;
use crate::history::ScanRef;
use crate::outcome::Gate;
use crate::pipeline::{Output, Settings};
use crate::plan::CheckSelection;
use crate::report;
use crate::severity::Severity;
use crate::shard::{Shard, ShardFlags};

#[derive(Debug, Parser)]
#[command(name = "bulkhead", version, about = "Audits the container-security posture of an AWS account.")]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan an account and write the report.
    Scan(Box<ScanArgs>),
    /// Join the JSON reports of a sharded scan (`scan --shard`) into one
    /// report, in every format, as one process scanning all the accounts
    /// would have written it.
    Merge(Box<MergeArgs>),
    /// Evaluate a saved inventory (`scan --save-inventory`) and write the
    /// report, with no AWS call at all.
    Evaluate(Box<EvaluateArgs>),
    /// Compare two scans: from the scan store (default: the latest against
    /// the one before it) or JSON reports.
    Diff(DiffArgs),
    /// The scans in the scan store.
    #[command(subcommand)]
    History(HistoryCommand),
    /// List the accounts `scan --organization` would scan, from AWS Organizations.
    Accounts(Box<AccountsArgs>),
    /// List the checks bulkhead has.
    Checks(ChecksArgs),
    /// List the compliance frameworks checks are mapped to.
    Frameworks,
    /// Print a shell completion script to stdout (see README.md for where it goes).
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, or write every page into a folder.
    Man(ManArgs),
}

/// What `bulkhead scan` exits with; printed by `bulkhead scan --help` and
/// in the man page.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (0, "the scan completed and no unmuted FAIL is at or above --fail-on"),
    (1, "fatal error: no credentials, the account or its regions could not be read, a report could not be written"),
    (2, "usage error (bad flag, unknown check id, a region the account has not enabled); no scan was run"),
    (3, "an unmuted FAIL at or above --fail-on"),
    (4, "the scan is incomplete: some calls failed and some findings are ERROR (unless --allow-errors)"),
];

/// The "Exit status:" paragraph of a command's long help.
fn exit_status_help(codes: &[(u8, &str)]) -> String {
    let mut text = String::from("Exit status:");
    for (code, meaning) in codes {
        text.push_str(&format!("\n  {code}  {meaning}"));
    }
    text
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (default: the page of bulkhead itself).
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "output_dir")]
    pub subcommand: Option<String>,

    /// Write bulkhead.1 and one bulkhead-SUBCOMMAND.1 per subcommand into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

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

    /// At most this many AWS calls in flight per service and region.
    #[arg(long, default_value = "8", value_name = "N")]
    pub max_concurrency_per_endpoint: NonZeroUsize,

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
pub struct EvaluateArgs {
    /// The saved inventory (`bulkhead scan --save-inventory PATH`).
    #[arg(long, value_name = "PATH")]
    pub inventory: PathBuf,

    #[command(flatten)]
    pub selection: SelectionArgs,

    #[command(flatten)]
    pub evaluation: EvaluationArgs,
}

/// Which checks run.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectionArgs {
    /// Run only these checks.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub checks: Option<Vec<String>>,

    /// Skip these checks.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub exclude_checks: Vec<String>,

    /// Run only the checks of these services (ecr, ec2, cloudtrail, ...).
    #[arg(long, value_delimiter = ',', value_name = "SERVICE,...")]
    pub services: Option<Vec<String>>,

    /// Run only the checks of these severities.
    #[arg(long, value_delimiter = ',', value_name = "SEVERITY,...")]
    pub severity: Option<Vec<Severity>>,

    /// Run only the checks mapped to this compliance framework (`bulkhead frameworks` lists them).
    #[arg(long, value_name = "FRAMEWORK")]
    pub compliance: Option<String>,
}

/// What is done with the findings: settings, muting, history, reports and
/// the exit code.
#[derive(Debug, Clone, Args)]
pub struct EvaluationArgs {
    /// Settings file (thresholds and trust lists); see README.md.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Folder for the reports.
    #[arg(long, default_value = "bulkhead-output", value_name = "DIR")]
    pub output_dir: PathBuf,

    /// Report formats to write: json, html, ocsf, junit, sarif, csv, asff,
    /// compliance (one CSV per framework, under DIR/compliance/).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "json,html", value_name = "FORMAT,...")]
    pub output_formats: Vec<report::Format>,

    /// Report file name, without extension.
    #[arg(long, default_value = "bulkhead", value_name = "NAME", value_parser = parse_output_name)]
    pub output_name: String,

    /// Prowler-format mutelist YAML (plus `Reason` and `Expires` per entry): findings
    /// it covers stay in the report, marked muted, and never fail the scan.
    #[arg(long, value_name = "PATH")]
    pub mutelist: Option<PathBuf>,

    /// Exit 3 when an unmuted FAIL of at least this severity exists.
    #[arg(long, default_value = "low", value_name = "SEVERITY")]
    pub fail_on: Severity,

    /// Exit 0/3 even when some data could not be collected (ERROR findings).
    #[arg(long)]
    pub allow_errors: bool,

    /// The scan store (SQLite) that remembers every scan, for `diff`,
    /// `--baseline` and the report's changes section [default: OUTPUT_DIR/bulkhead.db].
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,

    /// Do not record this scan in the store (a baseline from it is still read).
    #[arg(long)]
    pub no_store: bool,

    /// Compare with this scan: `latest`, a scan id in the store, or a JSON
    /// report; default: the store's latest scan.
    #[arg(long, value_name = "latest|SCAN_ID|REPORT.json")]
    pub baseline: Option<ScanRef>,

    /// Exit 3 only for unmuted FAILs of at least this severity that were not
    /// failing in the baseline (instead of --fail-on).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on_new: Option<Severity>,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// `markdown` prints the check reference (docs/checks.md).
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,

    /// Show this framework's controls and the checks that assess each.
    #[arg(long, value_name = "FRAMEWORK")]
    pub compliance: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}

fn parse_output_name(name: &str) -> Result<String, String> {
    let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
    if plain { Ok(name.to_owned()) } else { Err("a file name without a folder".to_owned()) }
}

fn parse_account_id(id: &str) -> Result<String, String> {
    let valid = id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
    if valid { Ok(id.to_owned()) } else { Err("an AWS account id is 12 digits".to_owned()) }
}

fn parse_parent_id(id: &str) -> Result<String, String> {
    // The patterns of the Organizations API reference (ParentId).
    let root = id.strip_prefix("r-").is_some_and(|rest| (4..=32).contains(&rest.len()) && is_lower_alnum(rest));
    let unit = id.strip_prefix("ou-").and_then(|rest| rest.split_once('-')).is_some_and(|(root, unit)| {
        (4..=32).contains(&root.len()) && is_lower_alnum(root) && (8..=32).contains(&unit.len()) && is_lower_alnum(unit)
    });
    if root || unit {
        Ok(id.to_owned())
    } else {
        Err("an organizational unit id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)".to_owned())
    }
}

fn is_lower_alnum(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn parse_role_name(name: &str) -> Result<String, String> {
    let valid =
        (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if valid { Ok(name.to_owned()) } else { Err("a role name: 1 to 64 of A-Z a-z 0-9 + = , . @ _ -".to_owned()) }
}

fn parse_role_path(path: &str) -> Result<String, String> {
    let valid = path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && path.chars().all(|c| ('!'..='~').contains(&c));
    if valid { Ok(path.to_owned()) } else { Err("an IAM path: `/`, or `/` and printable ASCII and `/`".to_owned()) }
}

fn parse_external_id(id: &str) -> Result<String, String> {
    let valid =
        (2..=1224).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c));
    if valid { Ok(id.to_owned()) } else { Err("2 to 1224 of A-Z a-z 0-9 + = , . @ : / _ -".to_owned()) }
}

fn parse_session_name(name: &str) -> Result<String, String> {
    let valid =
        (2..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if valid { Ok(name.to_owned()) } else { Err("2 to 64 of A-Z a-z 0-9 + = , . @ _ -".to_owned()) }
}

/// `--output-formats` values: each format by its lower-case name.
impl ValueEnum for report::Format {
    fn value_variants<'a>() -> &'a [Self] {
        &report::Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let name = match self {
            report::Format::Json => "json",
            report::Format::Html => "html",
            report::Format::Ocsf => "ocsf",
            report::Format::Junit => "junit",
            report::Format::Sarif => "sarif",
            report::Format::Csv => "csv",
            report::Format::Asff => "asff",
            report::Format::Compliance => "compliance",
        };
        Some(clap::builder::PossibleValue::new(name))
    }
}

impl SelectionArgs {
    /// Which checks to run, as the planner takes it.
    pub fn selection(&self) -> CheckSelection {
        CheckSelection {
            include: self.checks.clone(),
            exclude: self.exclude_checks.clone(),
            services: self.services.clone(),
            severities: self.severity.clone(),
            compliance: self.compliance.clone(),
        }
    }
}

impl EvaluationArgs {
    /// What the stage after collection does, as plain settings;
    /// `stats_table`: `--stats`, which only `scan` has.
    pub fn settings(&self, stats_table: bool) -> Settings {
        Settings {
            config: self.config.clone(),
            mutelist: self.mutelist.clone(),
            output: Output {
                dir: self.output_dir.clone(),
                name: self.output_name.clone(),
                formats: self.output_formats.clone(),
            },
            gate: Gate { fail_on: self.fail_on, allow_errors: self.allow_errors },
            fail_on_new: self.fail_on_new,
            store: self.store.clone(),
            no_store: self.no_store,
            baseline: self.baseline.clone(),
            quiet: self.quiet,
            stats_table,
        }
    }
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older scan: a scan id or a JSON report [default: the one before NEW].
    #[arg(value_name = "BASE")]
    pub base: Option<ScanRef>,

    /// The newer scan: a scan id or a JSON report [default: the latest scan].
    #[arg(value_name = "NEW")]
    pub new: Option<ScanRef>,

    /// The scan store.
    #[arg(long, default_value = DEFAULT_STORE, value_name = "PATH")]
    pub store: PathBuf,

    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,

    /// Write to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Html,
}

pub const DEFAULT_STORE: &str = "bulkhead-output/bulkhead.db";

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// The complete scans, newest first.
    List {
        #[arg(long, default_value = DEFAULT_STORE, value_name = "PATH")]
        store: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Remove old scans (and any left by scans that died more than a day ago).
    Prune {
        #[arg(long, default_value = DEFAULT_STORE, value_name = "PATH")]
        store: PathBuf,
        /// Keep the newest N scans.
        #[arg(long, value_name = "N", conflicts_with = "older_than", required_unless_present = "older_than")]
        keep: Option<u64>,
        /// Remove scans that started more than DAYS days ago.
        #[arg(long, value_name = "DAYS")]
        older_than: Option<u64>,
    },
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn scan(args: &[&str]) -> Result<ScanArgs, clap::Error> {
        let cli = Cli::try_parse_from(["bulkhead", "scan"].iter().chain(args))?;
        match cli.command {
            Command::Scan(scan) => Ok(*scan),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn parent_ids_are_roots_or_units() {
        assert!(parse_parent_id("r-ab12").is_ok());
        assert!(parse_parent_id("ou-ab12-cdef3456").is_ok());
        assert!(parse_parent_id("ou-ab12-cdef345").is_err(), "a unit part is at least 8 characters");
        assert!(parse_parent_id("ou-AB12-cdef3456").is_err());
        assert!(parse_parent_id("r-a").is_err());
        assert!(parse_parent_id("o-ab12cd34ef").is_err(), "an organization id is no parent");
        assert!(parse_parent_id("123456789012").is_err());
    }

    #[test]
    fn role_paths_start_and_end_with_a_slash() {
        assert!(parse_role_path("/").is_ok());
        assert!(parse_role_path("/security/audit/").is_ok());
        assert!(parse_role_path("security/").is_err());
        assert!(parse_role_path("/security").is_err());
        assert!(parse_role_path("/with space/").is_err());
    }

    #[test]
    fn the_fleet_flags_combine_as_documented() {
        let fleet =
            scan(&["--organization", "--role-name", "audit", "--organizational-units", "r-ab12,ou-ab12-cdef3456"])
                .unwrap();
        assert!(fleet.organization);
        assert_eq!(fleet.role.role_path, "/");
        assert_eq!(fleet.role.role_session_name, "bulkhead");
        assert_eq!(fleet.role.role_duration, None);
        assert_eq!(fleet.organization_selection.organizational_units.unwrap().len(), 2);
        let listed = scan(&["--accounts", "123456789012", "--role-name", "audit", "--role-duration", "43200"]).unwrap();
        assert_eq!(listed.role.role_duration, Some(43200));
        assert!(scan(&[]).is_ok(), "the caller's own account");
        // Let through here (clap excuses a required argument that conflicts
        // with one given); `scan` refuses it as a usage error.
        assert!(scan(&["--accounts", "123456789012", "--role-name", "a", "--organizational-units", "r-ab12"]).is_ok());

        for wrong in [
            &["--organization", "--accounts", "123456789012", "--role-name", "audit"][..],
            &["--organization"],
            &["--role-name", "audit"],
            &["--exclude-accounts", "123456789012"],
            &["--organization", "--role-name", "audit", "--role-duration", "899"],
            &["--organization", "--role-name", "audit", "--role-session-name", "x"],
            &["--external-id", "abc"],
        ] {
            let err = scan(wrong).expect_err(&format!("{wrong:?}"));
            assert_eq!(err.exit_code(), 2, "{wrong:?}: {err}");
        }
    }
}
