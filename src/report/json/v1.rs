//! Schema v1 of the JSON report, frozen: fields may be added, none renamed,
//! removed or retyped without a new `schema_version`. These structs exist so
//! that the report model and everything behind it can change without
//! changing what users parse; each converts `From` the model.
//!
//! Resource identity: `resource_id` and `resource_arn` are the same for a
//! resource whatever its status. A finding about the account as a whole in a
//! region (CloudTrail coverage of the region, the region's private ECR
//! registry, a listing that failed there) has the account's ARN
//! `arn:PARTITION:iam::ACCOUNT:root` as `resource_arn`, and the region (or,
//! for a registry, the account id) as `resource_id`.

use std::collections::BTreeMap;

use serde::Serialize;

use serde::ser::SerializeSeq as _;

use crate::model;
use crate::model::findings::serialize_each;
use crate::severity::{Severity, Status};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    scan: Scan<'a>,
    findings: Findings<'a>,
    checks: Vec<Check<'a>>,
    frameworks: Vec<Framework<'a>>,
    /// Added in 0.3 (additive): the images in use with scan findings, most
    /// urgent first; absent when the scan did not read scan findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerabilities: Option<Vec<VulnerableImage<'a>>>,
}

#[derive(Debug, Serialize)]
struct VulnerableImage<'a> {
    rank: usize,
    account_id: &'a str,
    region: &'a str,
    image: &'a str,
    resource_arn: &'a str,
    /// `internet`, `unknown`, `internal` or `not_running`.
    exposure: &'static str,
    running_tasks: usize,
    services: &'a [String],
    reachable_through: &'a [String],
    highest_severity: Option<&'a str>,
    severity_counts: &'a BTreeMap<String, usize>,
    fixable: usize,
    exploitable: usize,
    findings_total: usize,
    findings: Vec<Vulnerability<'a>>,
    scan: &'a str,
    reasons: &'a [String],
}

#[derive(Debug, Serialize)]
struct Vulnerability<'a> {
    id: &'a str,
    severity: &'a str,
    package: Option<&'a str>,
    fixed_in: Option<&'a str>,
    fix_available: Option<&'a str>,
    exploit_available: Option<&'a str>,
    score: Option<f64>,
    uri: Option<&'a str>,
}

impl<'a> From<&'a model::VulnerableImage> for VulnerableImage<'a> {
    fn from(image: &'a model::VulnerableImage) -> Self {
        VulnerableImage {
            rank: image.rank,
            account_id: &image.account_id,
            region: &image.region,
            image: &image.image,
            resource_arn: &image.resource_arn,
            exposure: image.exposure.as_str(),
            running_tasks: image.running_tasks,
            services: &image.services,
            reachable_through: &image.reachable_through,
            highest_severity: image.highest_severity.as_deref(),
            severity_counts: &image.severity_counts,
            fixable: image.fixable,
            exploitable: image.exploitable,
            findings_total: image.findings_total,
            findings: image
                .findings
                .iter()
                .map(|finding| Vulnerability {
                    id: &finding.id,
                    severity: &finding.severity,
                    package: finding.package.as_deref(),
                    fixed_in: finding.fixed_in.as_deref(),
                    fix_available: finding.fix_available.as_deref(),
                    exploit_available: finding.exploit_available.as_deref(),
                    score: finding.score,
                    uri: finding.uri.as_deref(),
                })
                .collect(),
            scan: &image.scan,
            reasons: &image.reasons,
        }
    }
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Debug, Serialize)]
struct Scan<'a> {
    started_at: &'a str,
    finished_at: &'a str,
    principal_arn: &'a str,
    accounts: &'a [String],
    regions: &'a [String],
    checks: &'a [String],
    errors: Vec<ScanError<'a>>,
    mutelist: Option<Mutelist<'a>>,
    stats: Stats<'a>,
    /// Added in 0.2 (additive): `account id -> name` (the IAM alias, else the id).
    account_names: &'a BTreeMap<String, String>,
    /// Added in 0.2 (additive): which shard of a `scan --shard` run this
    /// report is, for `bulkhead merge`; `null` for a whole scan.
    shard: Option<Shard<'a>>,
    /// Added in 0.3 (additive): the organizational units (or roots) a
    /// `scan --organization --organizational-units` covered, as given;
    /// absent for any other scan.
    #[serde(skip_serializing_if = "Option::is_none")]
    organizational_units: Option<&'a [String]>,
}

#[derive(Debug, Serialize)]
struct Shard<'a> {
    index: u64,
    count: u64,
    run_id: Option<&'a str>,
    fingerprint: &'a str,
    accounts_listed: u64,
}

#[derive(Debug, Serialize)]
struct ScanError<'a> {
    account_id: &'a str,
    region: &'a str,
    service: &'a str,
    operation: &'a str,
    kind: &'a str,
    message: &'a str,
}

#[derive(Debug, Serialize)]
struct Mutelist<'a> {
    path: &'a str,
    entries: usize,
    expired: Vec<ExpiredEntry<'a>>,
}

#[derive(Debug, Serialize)]
struct ExpiredEntry<'a> {
    account: &'a str,
    check: &'a str,
    expires: &'a str,
    reason: &'a str,
}

#[derive(Debug, Serialize)]
struct Stats<'a> {
    calls: u64,
    attempts: u64,
    retries: u64,
    throttles: u64,
    critical_path_depth: u32,
    operations: Vec<OperationStats<'a>>,
}

#[derive(Debug, Serialize)]
struct OperationStats<'a> {
    service: &'a str,
    operation: &'a str,
    region: &'a str,
    calls: u64,
    attempts: u64,
    retries: u64,
    throttles: u64,
}

#[derive(Debug, Serialize)]
struct Finding<'a> {
    check_id: &'a str,
    title: &'a str,
    severity: Severity,
    status: Status,
    muted: bool,
    mute_reason: Option<&'a str>,
    account_id: &'a str,
    region: &'a str,
    service: &'a str,
    resource_type: &'a str,
    resource_id: &'a str,
    resource_arn: &'a str,
    message: &'a str,
    compliance: &'a BTreeMap<String, Vec<String>>,
    resource_name: &'a str,
    resource_tags: &'a BTreeMap<String, String>,
    resource_details: &'a str,
    /// Added in 0.2 (additive): when the finding's run of FAILs began, as
    /// far back as the scan store or baseline reaches; `null` otherwise.
    failing_since: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Check<'a> {
    id: &'a str,
    service: &'a str,
    title: &'a str,
    severity: Severity,
    resource_type: &'a str,
    /// Added in 0.2 (additive): the stable SARIF rule id (`BH0001`).
    sarif_id: &'a str,
    description: &'a str,
    risk: &'a str,
    shared_responsibility: &'a str,
    references: &'a [String],
    remediation: Remediation<'a>,
}

#[derive(Debug, Serialize)]
struct Remediation<'a> {
    text: &'a str,
    cli: &'a str,
    terraform: &'a str,
}

#[derive(Debug, Serialize)]
struct Framework<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    controls: Vec<Control<'a>>,
}

#[derive(Debug, Serialize)]
struct Control<'a> {
    id: &'a str,
    title: &'a str,
    checks: &'a [String],
}

impl<'a> From<&'a model::Report> for JsonReport<'a> {
    fn from(report: &'a model::Report) -> Self {
        let scan = &report.scan;
        let stats = &scan.stats;
        JsonReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: &report.tool.name, version: &report.tool.version },
            scan: Scan {
                started_at: &scan.started_at,
                finished_at: &scan.finished_at,
                principal_arn: &scan.principal_arn,
                accounts: &scan.accounts,
                regions: &scan.regions,
                checks: &scan.checks,
                errors: scan
                    .errors
                    .iter()
                    .map(|error| ScanError {
                        account_id: &error.account_id,
                        region: &error.region,
                        service: &error.service,
                        operation: &error.operation,
                        kind: &error.kind,
                        message: &error.message,
                    })
                    .collect(),
                mutelist: scan.mutelist.as_ref().map(|mutelist| Mutelist {
                    path: &mutelist.path,
                    entries: mutelist.entries,
                    expired: mutelist
                        .expired
                        .iter()
                        .map(|entry| ExpiredEntry {
                            account: &entry.account,
                            check: &entry.check,
                            expires: &entry.expires,
                            reason: &entry.reason,
                        })
                        .collect(),
                }),
                stats: Stats {
                    calls: stats.calls,
                    attempts: stats.attempts,
                    retries: stats.retries,
                    throttles: stats.throttles,
                    critical_path_depth: stats.critical_path_depth,
                    operations: stats
                        .operations
                        .iter()
                        .map(|operation| OperationStats {
                            service: &operation.service,
                            operation: &operation.operation,
                            region: &operation.region,
                            calls: operation.calls,
                            attempts: operation.attempts,
                            retries: operation.retries,
                            throttles: operation.throttles,
                        })
                        .collect(),
                },
                account_names: &scan.account_names,
                shard: scan.shard.as_ref().map(|shard| Shard {
                    index: shard.index,
                    count: shard.count,
                    run_id: shard.run_id.as_deref(),
                    fingerprint: &shard.fingerprint,
                    accounts_listed: shard.accounts_listed,
                }),
                organizational_units: scan.organizational_units.as_deref(),
            },
            findings: Findings(&report.findings),
            checks: report.checks.iter().map(Check::from).collect(),
            frameworks: report
                .frameworks
                .iter()
                .map(|framework| Framework {
                    id: &framework.id,
                    name: &framework.name,
                    version: &framework.version,
                    controls: framework
                        .controls
                        .iter()
                        .map(|control| Control { id: &control.id, title: &control.title, checks: &control.checks })
                        .collect(),
                })
                .collect(),
            vulnerabilities: report
                .vulnerabilities
                .as_ref()
                .map(|images| images.iter().map(VulnerableImage::from).collect()),
        }
    }
}

/// The findings as v1 writes them, each converted as the array is written.
#[derive(Debug)]
struct Findings<'a>(&'a crate::model::Findings);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_each(self.0, serializer, |finding, seq| seq.serialize_element(&Finding::from(finding)))
    }
}

impl<'a> From<&'a model::ReportFinding> for Finding<'a> {
    fn from(finding: &'a model::ReportFinding) -> Self {
        Finding {
            check_id: &finding.check_id,
            title: &finding.title,
            severity: finding.severity,
            status: finding.status,
            muted: finding.muted,
            mute_reason: finding.mute_reason.as_deref(),
            account_id: &finding.account_id,
            region: &finding.region,
            service: &finding.service,
            resource_type: &finding.resource_type,
            resource_id: &finding.resource_id,
            resource_arn: &finding.resource_arn,
            message: &finding.message,
            compliance: &finding.compliance,
            resource_name: &finding.resource_name,
            resource_tags: &finding.resource_tags,
            resource_details: &finding.resource_details,
            failing_since: finding.failing_since.as_deref(),
        }
    }
}

impl<'a> From<&'a model::CheckInfo> for Check<'a> {
    fn from(check: &'a model::CheckInfo) -> Self {
        Check {
            id: &check.id,
            service: &check.service,
            title: &check.title,
            severity: check.severity,
            resource_type: &check.resource_type,
            sarif_id: &check.sarif_id,
            description: &check.description,
            risk: &check.risk,
            shared_responsibility: &check.shared_responsibility,
            references: &check.references,
            remediation: Remediation {
                text: &check.remediation.text,
                cli: &check.remediation.cli,
                terraform: &check.remediation.terraform,
            },
        }
    }
}
