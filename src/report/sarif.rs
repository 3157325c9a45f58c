//! SARIF 2.1.0, written through `serde-sarif` (types generated from the
//! OASIS schema, so a field name cannot be misspelt). One rule per check,
//! help text = remediation; one result per FAIL or ERROR finding, located by
//! the resource ARN as a logical location. PASS findings are left out: SARIF
//! consumers (GitHub code scanning, Security Hub importers) list results as
//! problems.
//!
//! Rule ids are opaque and stable (`BH0001`, each check's `sarif_id`):
//! code scanning keys alerts on the rule id, so a renamed check keeps its
//! alerts. The check id is the rule's `name`.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    Location, LogicalLocation, Message, MultiformatMessageString, PropertyBag, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};

use crate::model::INFORMATION_URI;
use crate::model::{CheckInfo, Report, ReportFinding};
use crate::severity::{Severity, Status};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the results go: the log around them is built with serde-sarif's
/// types and an empty `results`, and the results are written into it one
/// by one. The marker cannot occur inside a JSON string, where its quotes
/// would be escaped, and a run has one `results`.
const RESULTS_MARKER: &str = "\"results\": []";

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let rule_index: BTreeMap<&str, (usize, &str)> =
        report.checks.iter().enumerate().map(|(index, check)| (check.id.as_str(), (index, rule_id(check)))).collect();
    let rules: Vec<ReportingDescriptor> = report.checks.iter().map(rule).collect();
    let driver = ToolComponent::builder()
        .name(report.tool.name.clone())
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .information_uri(INFORMATION_URI.to_owned())
        .rules(rules)
        .build();
    let run = Run::builder().tool(Tool::builder().driver(driver).build()).results(Vec::new()).build();
    let sarif = Sarif::builder().schema(SCHEMA).version(json!("2.1.0")).runs(vec![run]).build();
    let frame = serde_json::to_string_pretty(&sarif)?;
    let (before, after) = match (frame.find(RESULTS_MARKER), frame.rfind(RESULTS_MARKER)) {
        (Some(first), Some(last)) if first == last => (&frame[..first], &frame[first + RESULTS_MARKER.len()..]),
        _ => anyhow::bail!("the SARIF frame has no single place for its results"),
    };
    out.write_all(before.as_bytes())?;
    out.write_all(b"\"results\": [")?;
    let mut first = true;
    report.findings.each(|_, finding| {
        if finding.status == Status::Pass {
            return Ok(());
        }
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, &result(finding, rule_index.get(finding.check_id.as_str()).copied()))?;
        Ok(())
    })?;
    out.write_all(if first { b"]" } else { b"\n]" })?;
    out.write_all(after.as_bytes())?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    crate::report::write::to_string(|out| write(report, out))
}

/// The check's opaque rule id; its own id when the metadata has none.
fn rule_id(check: &CheckInfo) -> &str {
    if check.sarif_id.is_empty() { &check.id } else { &check.sarif_id }
}

fn rule(check: &CheckInfo) -> ReportingDescriptor {
    let help = format!(
        "{}\n\nAWS CLI:\n{}\n\nTerraform:\n{}",
        check.remediation.text, check.remediation.cli, check.remediation.terraform
    );
    let help_markdown = format!(
        "{}\n\n**AWS CLI**\n\n```sh\n{}\n```\n\n**Terraform**\n\n```hcl\n{}\n```",
        check.remediation.text, check.remediation.cli, check.remediation.terraform
    );
    let mut properties = BTreeMap::new();
    properties.insert("severity".to_owned(), json!(check.severity.as_str()));
    properties.insert("service".to_owned(), json!(check.service));
    properties.insert("resource_type".to_owned(), json!(check.resource_type));
    properties.insert("shared_responsibility".to_owned(), json!(check.shared_responsibility));
    properties.insert("risk".to_owned(), json!(check.risk));
    let mut rule = ReportingDescriptor::builder()
        .id(rule_id(check).to_owned())
        .name(check.id.clone())
        .short_description(MultiformatMessageString::builder().text(check.title.clone()).build())
        .full_description(MultiformatMessageString::builder().text(check.description.clone()).build())
        .help(MultiformatMessageString::builder().text(help).markdown(help_markdown).build())
        .default_configuration(ReportingConfiguration::builder().level(json!(level(check.severity))).build())
        .properties(
            PropertyBag::builder()
                .tags(vec!["security".to_owned(), check.service.clone()])
                .additional_properties(properties)
                .build(),
        )
        .build();
    rule.help_uri = check.references.first().cloned();
    rule
}

fn result(finding: &ReportFinding, rule: Option<(usize, &str)>) -> SarifResult {
    let location = Location::builder()
        .logical_locations(vec![
            LogicalLocation::builder()
                .fully_qualified_name(finding.resource_arn.clone())
                .name(finding.resource_id.clone())
                .kind("resource")
                .build(),
        ])
        .build();
    let mut properties = BTreeMap::new();
    properties.insert("check_id".to_owned(), json!(finding.check_id));
    properties.insert("status".to_owned(), json!(finding.status.as_str()));
    properties.insert("severity".to_owned(), json!(finding.severity.as_str()));
    properties.insert("account_id".to_owned(), json!(finding.account_id));
    properties.insert("region".to_owned(), json!(finding.region));
    properties.insert("resource_type".to_owned(), json!(finding.resource_type));
    properties.insert("resource_name".to_owned(), json!(finding.resource_name));
    properties.insert("resource_tags".to_owned(), json!(finding.resource_tags));
    properties.insert("compliance".to_owned(), json!(finding.compliance));
    // An ERROR is "could not tell": SARIF's `open` kind, which carries no level.
    let (kind, level) = match finding.status {
        Status::Fail => (ResultKind::Fail, level(finding.severity)),
        _ => (ResultKind::Open, ResultLevel::None),
    };
    let fingerprints = BTreeMap::from([("bulkhead/v1".to_owned(), super::ocsf::finding_uid(finding))]);
    let builder = SarifResult::builder()
        .rule_id(rule.map_or(finding.check_id.as_str(), |(_, id)| id).to_owned())
        .message(Message::builder().text(finding.message.clone()).build())
        .kind(kind)
        .level(level)
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(properties).build());
    let suppressions = if finding.muted {
        vec![Suppression::builder().kind(json!("external")).justification("muted by the mutelist").build()]
    } else {
        Vec::new()
    };
    let mut result = builder.build();
    if let Some((index, _)) = rule {
        result.rule_index = Some(index as i64);
    }
    if !suppressions.is_empty() {
        result.suppressions = Some(suppressions);
    }
    result
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Informational => ResultLevel::Note,
    }
}
