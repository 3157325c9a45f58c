//! ASFF, the AWS Security Finding Format (`SchemaVersion` 2018-10-08): one
//! finding per bulkhead finding, as a JSON array ready for Security Hub's
//! `BatchImportFindings` (100 per call; docs/securityhub.md), which
//! `--security-hub` calls with the caller's own credentials (`crate::sinks`).
//!
//! - `ProductArn` is the account's own custom integration,
//!   `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`,
//!   which every account may import into without registering a product.
//! - `Id` is stable per finding identity (account, region, check,
//!   resource): a later scan's import updates the same Security Hub finding.
//! - A PASS is `Compliance.Status` PASSED, `Workflow.Status` RESOLVED and
//!   `RecordState` ARCHIVED, so a fixed finding leaves the active list; a
//!   FAIL is FAILED / NEW / ACTIVE; an ERROR is NOT_AVAILABLE / NEW / ACTIVE;
//!   a muted finding's workflow is SUPPRESSED.
//! - Strings are cut to the lengths Security Hub accepts (Title 256,
//!   Description 1024, ...), and empty ones left out: ASFF strings must hold
//!   a non-blank character.

use std::collections::BTreeMap;

use aws_smithy_types::date_time::{DateTime, Format};
use serde_json::{Map, Value, json};

use crate::model::findings::write_json_array;
use crate::model::{CheckInfo, Report, ReportFinding};
use crate::severity::{Severity, Status};

pub const SCHEMA_VERSION: &str = "2018-10-08";

/// The resource types ASFF defines that bulkhead's findings name; any other
/// is `Other`.
const RESOURCE_TYPES: &[&str] = &[
    "AwsAccount",
    "AwsCloudTrailTrail",
    "AwsEc2NetworkAcl",
    "AwsEc2SecurityGroup",
    "AwsEc2Vpc",
    "AwsEcrContainerImage",
    "AwsEcrRepository",
    "AwsEcsCluster",
    "AwsEcsService",
    "AwsEcsTask",
    "AwsEcsTaskDefinition",
    "AwsElbv2LoadBalancer",
    "AwsEksCluster",
    "AwsIamPolicy",
    "AwsIamUser",
];

/// The largest `BatchImportFindings` accepts in one call.
pub const BATCH_LIMIT: usize = 100;

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    write_json_array(&report.findings, out, |finding| Some(asff_finding(report, finding)))
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    super::write::to_string(|out| write(report, out))
}

/// The finding's ASFF `Id`: the same account, region, check and resource
/// give the same id in every scan.
pub fn finding_id(finding: &ReportFinding) -> String {
    cut(
        &format!("bulkhead/{}/{}/{}/{}", finding.account_id, finding.region, finding.check_id, finding.resource_id),
        512,
    )
}

/// One finding in ASFF, as the file holds it and `--security-hub` sends it.
pub fn asff_finding(report: &Report, finding: &ReportFinding) -> Value {
    let check = report.check(&finding.check_id);
    let partition = partition(&finding.resource_arn);
    let time = timestamp(&report.scan.finished_at);
    let types = types(report, finding, check);
    let severity = json!({"Label": severity_label(finding.severity), "Original": finding.severity.as_str()});
    let (compliance_status, workflow_status, record_state) = match (finding.status, finding.muted) {
        (Status::Pass, _) => ("PASSED", "RESOLVED", "ARCHIVED"),
        (Status::Fail, false) => ("FAILED", "NEW", "ACTIVE"),
        (Status::Fail, true) => ("FAILED", "SUPPRESSED", "ACTIVE"),
        (Status::Error, false) => ("NOT_AVAILABLE", "NEW", "ACTIVE"),
        (Status::Error, true) => ("NOT_AVAILABLE", "SUPPRESSED", "ACTIVE"),
    };
    let mut object = Map::new();
    object.insert("SchemaVersion".into(), json!(SCHEMA_VERSION));
    object.insert("Id".into(), json!(finding_id(finding)));
    object.insert(
        "ProductArn".into(),
        json!(format!(
            "arn:{partition}:securityhub:{region}:{account}:product/{account}/default",
            region = finding.region,
            account = finding.account_id
        )),
    );
    object.insert("ProductName".into(), json!(report.tool.name));
    object.insert("CompanyName".into(), json!(report.tool.name));
    object.insert("Region".into(), json!(finding.region));
    object.insert("GeneratorId".into(), json!(cut(&finding.check_id, 512)));
    object.insert("AwsAccountId".into(), json!(finding.account_id));
    if let Some(name) = non_blank(report.account_name(&finding.account_id)) {
        object.insert("AwsAccountName".into(), json!(cut(name, 50)));
    }
    object.insert("Types".into(), json!(types));
    object.insert("CreatedAt".into(), json!(time));
    object.insert("UpdatedAt".into(), json!(time));
    object.insert("Severity".into(), severity.clone());
    object.insert("Title".into(), json!(text_or(&finding.title, &finding.check_id, 256)));
    object.insert("Description".into(), json!(text_or(&finding.message, &finding.title, 1024)));
    if let Some(check) = check {
        let mut recommendation = Map::new();
        if let Some(text) = non_blank(&check.remediation.text) {
            recommendation.insert("Text".into(), json!(cut(text, 512)));
        }
        if let Some(url) = check.references.first().and_then(|url| non_blank(url)) {
            recommendation.insert("Url".into(), json!(url));
        }
        if !recommendation.is_empty() {
            object.insert("Remediation".into(), json!({"Recommendation": recommendation}));
        }
    }
    object.insert("ProductFields".into(), json!(product_fields(finding, check)));
    let mut compliance = Map::new();
    compliance.insert("Status".into(), json!(compliance_status));
    let requirements = related_requirements(report, finding);
    if !requirements.is_empty() {
        compliance.insert("RelatedRequirements".into(), json!(requirements));
    }
    object.insert("Compliance".into(), Value::Object(compliance));
    object.insert("Workflow".into(), json!({"Status": workflow_status}));
    object.insert("RecordState".into(), json!(record_state));
    object.insert("Resources".into(), json!([resource(finding, partition)]));
    object.insert("FindingProviderFields".into(), json!({"Severity": severity, "Types": types}));
    Value::Object(object)
}

/// `namespace/category/classifier`: AWS security best practices in the
/// check's area of the shared-responsibility model, and the industry
/// standards it is mapped to.
fn types(report: &Report, finding: &ReportFinding, check: Option<&CheckInfo>) -> Vec<String> {
    let area = match check.map(|check| check.shared_responsibility.as_str()) {
        Some("network") => "Network Reachability",
        Some("host") => "Host Hardening",
        Some("application") => "Application Security",
        Some("platform") => "Platform Configuration",
        _ => "Configuration",
    };
    let mut types = vec![format!("Software and Configuration Checks/AWS Security Best Practices/{area}")];
    let mut standards: Vec<&str> = finding
        .compliance
        .keys()
        .filter(|framework| !framework.is_empty())
        .map(|framework| framework_info(report, framework).map_or(framework.as_str(), |info| info.0))
        .collect();
    standards.sort();
    standards.dedup();
    for standard in standards {
        types
            .push(cut(&format!("Software and Configuration Checks/Industry and Regulatory Standards/{standard}"), 128));
    }
    types.truncate(50);
    types
}

/// A framework's name and version, when the report carries it.
fn framework_info<'a>(report: &'a Report, id: &str) -> Option<(&'a str, &'a str)> {
    report
        .frameworks
        .iter()
        .find(|framework| framework.id == id)
        .map(|framework| (framework.name.as_str(), framework.version.as_str()))
}

/// `"<framework name> v<version>/<control>"`, as Security Hub's own
/// standards name theirs, at most 32.
fn related_requirements(report: &Report, finding: &ReportFinding) -> Vec<String> {
    let mut requirements = Vec::new();
    for (framework, controls) in &finding.compliance {
        let label = framework_info(report, framework)
            .map_or_else(|| framework.clone(), |(name, version)| format!("{name} v{version}"));
        for control in controls {
            requirements.push(cut(&format!("{label}/{control}"), 256));
        }
    }
    requirements.truncate(32);
    requirements
}

fn product_fields(finding: &ReportFinding, check: Option<&CheckInfo>) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let mut put = |key: &str, value: &str| {
        if let Some(value) = non_blank(value) {
            fields.insert(format!("bulkhead/{key}"), cut(value, 2048));
        }
    };
    put("check_id", &finding.check_id);
    put("status", finding.status.as_str());
    put("muted", if finding.muted { "true" } else { "false" });
    put("mute_reason", finding.mute_reason.as_deref().unwrap_or(""));
    put("service", &finding.service);
    put("resource_id", &finding.resource_id);
    put("resource_type", &finding.resource_type);
    if let Some(check) = check {
        put("sarif_rule_id", &check.sarif_id);
        put("shared_responsibility", &check.shared_responsibility);
    }
    fields
}

fn resource(finding: &ReportFinding, partition: &str) -> Value {
    let mut resource = Map::new();
    resource.insert("Type".into(), json!(resource_type(finding)));
    resource.insert("Id".into(), json!(text_or(&finding.resource_arn, &finding.resource_id, 2048)));
    resource.insert("Partition".into(), json!(partition));
    resource.insert("Region".into(), json!(cut(&finding.region, 16)));
    let tags: BTreeMap<String, String> = finding
        .resource_tags
        .iter()
        .filter_map(|(key, value)| Some((cut(non_blank(key)?, 128), cut(non_blank(value)?, 256))))
        .take(50)
        .collect();
    if !tags.is_empty() {
        resource.insert("Tags".into(), json!(tags));
    }
    let mut other = BTreeMap::new();
    for (key, value) in [
        ("resource_id", &finding.resource_id),
        ("name", &finding.resource_name),
        ("details", &finding.resource_details),
    ] {
        if let Some(value) = non_blank(value) {
            other.insert(key, cut(value, 1024));
        }
    }
    if !other.is_empty() {
        resource.insert("Details".into(), json!({"Other": other}));
    }
    Value::Object(resource)
}

/// The ASFF type of the finding's resource: a finding about the account as
/// a whole (its ARN is `arn:...:iam::ACCOUNT:root`) is about an AwsAccount.
fn resource_type(finding: &ReportFinding) -> &str {
    let about_the_account =
        finding.resource_arn.split(':').nth(2) == Some("iam") && finding.resource_arn.ends_with(":root");
    if about_the_account {
        "AwsAccount"
    } else if RESOURCE_TYPES.contains(&finding.resource_type.as_str()) {
        &finding.resource_type
    } else {
        "Other"
    }
}

fn partition(arn: &str) -> &str {
    match arn.split(':').nth(1) {
        Some(partition @ ("aws" | "aws-cn" | "aws-us-gov" | "aws-us-iso" | "aws-us-iso-b")) => partition,
        _ => "aws",
    }
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Informational => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// RFC 3339 in UTC, at most millisecond precision.
fn timestamp(text: &str) -> String {
    DateTime::from_str(text, Format::DateTime)
        .ok()
        .and_then(|time| DateTime::from_millis(time.to_millis().ok()?).fmt(Format::DateTime).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

fn non_blank(text: &str) -> Option<&str> {
    (!text.trim().is_empty()).then_some(text)
}

/// `text`, else `fallback`, cut to `max` characters.
fn text_or(text: &str, fallback: &str, max: usize) -> String {
    cut(non_blank(text).or(non_blank(fallback)).unwrap_or("bulkhead finding"), max)
}

/// At most `max` characters, cut on a character boundary, with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_counts_characters_not_bytes() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        assert_eq!(cut("ééééé", 4).chars().count(), 4);
    }

    #[test]
    fn timestamps_are_rfc_3339_with_at_most_milliseconds() {
        assert_eq!(timestamp("2026-12-02T10:11:12.123456789Z"), "2026-12-02T10:11:12.123Z");
        assert_eq!(timestamp("2026-12-02T10:11:12Z"), "2026-12-02T10:11:12Z");
    }
}
