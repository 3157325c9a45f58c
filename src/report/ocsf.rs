//! OCSF: one Detection Finding (class_uid 2004, OCSF 1.3.0) per finding, as
//! a JSON array, the shape Prowler's `json-ocsf` output and Security Hub's
//! OCSF ingestion use. Every event loads in `py-ocsf-models` (the OCSF
//! library Prowler uses; tests/ocsf_load.py), which requires what OCSF only
//! recommends in places, `cloud.account.name` among them.
//!
//! Detection Finding has no `compliance` attribute in 1.3.0 (that object
//! belongs to Compliance Finding, class 2003), so the controls a finding
//! counts towards go in `unmapped.compliance`, `framework -> [control]`,
//! as Prowler writes them, and `unmapped.requirements` lists them as
//! `"<framework> <control>"`.

use aws_smithy_types::date_time::{DateTime, Format};
use serde_json::{Value, json};

use crate::model::INFORMATION_URI;
use crate::model::findings::write_json_array;
use crate::model::{CheckInfo, Report, ReportFinding};
use crate::severity::{Severity, Status};

pub const OCSF_VERSION: &str = "1.3.0";
const CLASS_UID: u32 = 2004;
const ACTIVITY_CREATE: u32 = 1;
/// OCSF account type `AWS Account`.
const ACCOUNT_TYPE_AWS: u32 = 10;
/// OCSF analytic type `Rule`.
const ANALYTIC_RULE: u32 = 1;

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    write_json_array(&report.findings, out, |finding| Some(event(report, finding)))
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    super::write::to_string(|out| write(report, out))
}

/// A stable id for the finding: the same resource judged by the same check
/// gets the same id in every scan, so consumers can track it over time.
pub fn finding_uid(finding: &ReportFinding) -> String {
    format!("bulkhead-{}-{}-{}-{}", finding.check_id, finding.account_id, finding.region, finding.resource_id)
}

fn event(report: &Report, finding: &ReportFinding) -> Value {
    let time = epoch_millis(&report.scan.finished_at);
    let started = epoch_millis(&report.scan.started_at);
    let check = report.check(&finding.check_id);
    let (severity_id, severity) = severity(finding.severity);
    // Finding lifecycle: muted findings are suppressed, everything else is new.
    let (status_id, status) = if finding.muted { (3, "Suppressed") } else { (1, "New") };
    let mut event = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": finding.status.as_str(),
        "status_detail": finding.message,
        "message": finding.message,
        "time": time,
        "time_dt": report.scan.finished_at,
        "start_time": started,
        "start_time_dt": report.scan.started_at,
        "end_time": time,
        "end_time_dt": report.scan.finished_at,
        "timezone_offset": 0,
        "is_alert": finding.status == Status::Fail && !finding.muted,
        "metadata": metadata(report, finding),
        "finding_info": finding_info(report, finding, check, time),
        "cloud": cloud(report, finding),
        "resources": [resource(finding)],
        "unmapped": unmapped(finding),
    });
    if let Some(check) = check {
        event["risk_details"] = json!(check.risk);
        event["remediation"] = json!({
            "desc": check.remediation.text,
            "references": check.references,
        });
        event["unmapped"]["remediation_cli"] = json!(check.remediation.cli);
        event["unmapped"]["remediation_terraform"] = json!(check.remediation.terraform);
        event["unmapped"]["shared_responsibility"] = json!(check.shared_responsibility);
    }
    event
}

fn metadata(report: &Report, finding: &ReportFinding) -> Value {
    json!({
        "version": OCSF_VERSION,
        "uid": finding_uid(finding),
        "event_code": finding.check_id,
        "profiles": ["cloud"],
        "product": {
            "name": report.tool.name,
            "uid": report.tool.name,
            "vendor_name": report.tool.name,
            "version": report.tool.version,
            "url_string": INFORMATION_URI,
        },
        "log_name": "bulkhead scan",
    })
}

fn finding_info(report: &Report, finding: &ReportFinding, check: Option<&CheckInfo>, time: i64) -> Value {
    json!({
        "uid": finding_uid(finding),
        "title": finding.title,
        "desc": check.map(|check| check.description.as_str()).unwrap_or(&finding.title),
        "types": [finding.service],
        "created_time": time,
        "created_time_dt": report.scan.finished_at,
        "analytic": {
            "uid": check.map_or(finding.check_id.as_str(), |check| check.sarif_id.as_str()),
            "name": finding.check_id,
            "desc": finding.title,
            "category": finding.service,
            "type": "Rule",
            "type_id": ANALYTIC_RULE,
        },
    })
}

fn cloud(report: &Report, finding: &ReportFinding) -> Value {
    json!({
        "provider": "AWS",
        "region": finding.region,
        "account": {
            "uid": finding.account_id,
            "name": report.account_name(&finding.account_id),
            "type": "AWS Account",
            "type_id": ACCOUNT_TYPE_AWS,
        },
    })
}

fn resource(finding: &ReportFinding) -> Value {
    json!({
        "uid": finding.resource_arn,
        "name": if finding.resource_name.is_empty() { &finding.resource_id } else { &finding.resource_name },
        "type": finding.resource_type,
        "group": {"name": finding.service},
        "region": finding.region,
        "cloud_partition": finding.resource_arn.split(':').nth(1).unwrap_or("aws"),
        "labels": finding.resource_tags.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>(),
        "data": {
            "resource_id": finding.resource_id,
            "tags": finding.resource_tags,
            "details": finding.resource_details,
        },
    })
}

fn unmapped(finding: &ReportFinding) -> Value {
    json!({
        "check_id": finding.check_id,
        "status": finding.status.as_str(),
        "muted": finding.muted,
        "mute_reason": finding.mute_reason,
        "compliance": finding.compliance,
        "requirements": requirements(finding),
    })
}

/// `"<framework> <control>"` for every control the finding counts towards.
fn requirements(finding: &ReportFinding) -> Vec<String> {
    finding
        .compliance
        .iter()
        .flat_map(|(framework, controls)| controls.iter().map(move |control| format!("{framework} {control}")))
        .collect()
}

fn severity(severity: Severity) -> (u32, &'static str) {
    match severity {
        Severity::Informational => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn epoch_millis(timestamp: &str) -> i64 {
    DateTime::from_str(timestamp, Format::DateTime)
        .map(|time| time.secs() * 1000 + i64::from(time.subsec_nanos() / 1_000_000))
        .unwrap_or(0)
}
