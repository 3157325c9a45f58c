//! The command line. Parsing only: validation that needs the check registry
//! happens in [`crate::plan`], still before any AWS call.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::history::ScanRef;
use crate::report;
use crate::severity::Severity;
use crate::sinks::Place;

mod image;
mod parse;
mod scan;
mod settings;

pub use image::ImageArgs;
use parse::parse_output_name;
pub use scan::{
    AccountsArgs, AccountsFormat, EvaluateArgs, MERGE_EXIT_CODES, MergeArgs, OrganizationSelection, RoleArgs, ScanArgs,
    ShardArgs, SinkArgs,
};

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
    /// Audit one ECR image before it is deployed: every image check (config,
    /// layers, base OS, age, registry) on that image, with a scan's reports,
    /// --fail-on and exit codes.
    Image(Box<ImageArgs>),
    /// Compare two scans: from the scan store (default: the latest against
    /// the one before it) or JSON reports.
    Diff(DiffArgs),
    /// Write the reports of a scan in the scan store again, in any format,
    /// as the scan wrote them (its changes and trends included); only the
    /// tool version is this bulkhead's.
    Report(Box<ReportArgs>),
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

    /// Folder for the reports, or `s3://BUCKET/PREFIX`: written into
    /// --local-dir first, then uploaded with the caller's own credentials.
    #[arg(long, default_value = "bulkhead-output", value_name = "DIR|s3://BUCKET/PREFIX")]
    pub output_dir: Place,

    /// With an s3:// --output-dir or --store: the folder the reports and
    /// the store's copy are written to before they are uploaded.
    #[arg(long, default_value = "bulkhead-output", value_name = "DIR")]
    pub local_dir: PathBuf,

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
    /// `s3://BUCKET/KEY`: downloaded, recorded in, and uploaded only if no
    /// other scan changed it meanwhile.
    #[arg(long, value_name = "PATH|s3://BUCKET/KEY", value_parser = crate::sinks::parse_store)]
    pub store: Option<Place>,

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

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The scan: its id in the store (`bulkhead history list`), or `latest`.
    #[arg(value_name = "SCAN_ID|latest", default_value = "latest", value_parser = parse_stored_scan)]
    pub scan: ScanRef,

    /// The scan store.
    #[arg(long, default_value = DEFAULT_STORE, value_name = "PATH")]
    pub store: PathBuf,

    /// Folder for the reports.
    #[arg(long, default_value = "bulkhead-output", value_name = "DIR")]
    pub output_dir: PathBuf,

    /// Report formats to write (as for `scan`).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "json,html", value_name = "FORMAT,...")]
    pub output_formats: Vec<report::Format>,

    /// Report file name, without extension.
    #[arg(long, default_value = "bulkhead", value_name = "NAME", value_parser = parse_output_name)]
    pub output_name: String,
}

/// `latest` or a scan id: a scan of the store, not a report file.
fn parse_stored_scan(text: &str) -> Result<ScanRef, String> {
    match text.parse::<ScanRef>()? {
        ScanRef::Report(_) => Err("expected `latest` or a scan id (`bulkhead history list` shows them)".to_owned()),
        scan => Ok(scan),
    }
}

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

    use super::parse::{parse_parent_id, parse_role_path};
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
