//! The last stage: the report model, built once from the filtered findings,
//! the check catalogue and what the scan recorded. The one place that knows
//! both the internal types and the report's, so the renderers depend on the
//! report model alone.

use std::collections::BTreeMap;

use crate::aws::{CollectError, ErrorKind};
use crate::checks::Finding;
use crate::checks::metadata::{CatalogEntry, ComplianceRef, Framework};
use crate::inventory::features::FeatureOff;
use crate::model::{
    CheckInfo, ControlInfo, FrameworkInfo, RemediationInfo, ReportFinding, ScanError, UnavailableFeature,
};

pub fn finding(finding: Finding, check: &CatalogEntry, failing_since: Option<String>) -> ReportFinding {
    ReportFinding {
        check_id: finding.check_id,
        title: check.metadata.title.clone(),
        severity: check.metadata.severity,
        status: finding.status,
        // The mutelist is applied in the pipeline, after this.
        muted: false,
        mute_reason: None,
        account_id: finding.account_id,
        region: finding.region,
        service: check.service.clone(),
        resource_type: check.metadata.resource_type.clone(),
        resource_id: finding.resource_id,
        resource_arn: finding.resource_arn,
        message: finding.message,
        compliance: compliance_by_framework(&check.compliance),
        resource_name: finding.resource_name,
        resource_tags: finding.resource_tags,
        resource_details: finding.resource_details,
        failing_since,
    }
}

fn compliance_by_framework(refs: &[ComplianceRef]) -> BTreeMap<String, Vec<String>> {
    let mut by_framework: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for reference in refs {
        by_framework.entry(reference.framework.clone()).or_default().push(reference.control.clone());
    }
    by_framework
}

pub fn check(check: &CatalogEntry) -> CheckInfo {
    let metadata = &check.metadata;
    let area = serde_json::to_value(metadata.shared_responsibility)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    CheckInfo {
        id: check.id.clone(),
        service: check.service.clone(),
        title: metadata.title.clone(),
        severity: metadata.severity,
        resource_type: metadata.resource_type.clone(),
        sarif_id: metadata.sarif_id.clone(),
        description: metadata.description.clone(),
        risk: metadata.risk.clone(),
        shared_responsibility: area,
        references: metadata.references.clone(),
        remediation: RemediationInfo {
            text: metadata.remediation.text.trim().to_owned(),
            cli: metadata.remediation.cli.trim().to_owned(),
            terraform: metadata.remediation.terraform.trim().to_owned(),
        },
    }
}

pub fn framework(framework: &Framework) -> FrameworkInfo {
    FrameworkInfo {
        id: framework.id.clone(),
        name: framework.name.clone(),
        version: framework.version.clone(),
        controls: framework
            .controls
            .iter()
            .map(|control| ControlInfo {
                id: control.id.clone(),
                title: control.title.clone(),
                checks: control.checks.clone(),
            })
            .collect(),
    }
}

pub fn scan_error(account_id: &str, err: &CollectError) -> ScanError {
    ScanError {
        account_id: account_id.to_owned(),
        region: err.region.clone(),
        service: err.service.to_string(),
        operation: err.operation.clone(),
        kind: kind_name(err.kind).to_owned(),
        message: err.message.clone(),
    }
}

pub fn unavailable_feature(account_id: &str, off: &FeatureOff) -> UnavailableFeature {
    UnavailableFeature {
        account_id: account_id.to_owned(),
        region: off.error.region.clone(),
        feature: off.feature.name().to_owned(),
        service: off.error.service.to_string(),
        operation: off.error.operation.clone(),
        message: off.error.message.clone(),
        consequence: off.feature.without().to_owned(),
    }
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::AccessDenied => "access_denied",
        ErrorKind::Throttled => "throttled",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Unreachable => "unreachable",
        ErrorKind::NotFound => "not_found",
        ErrorKind::NotOffered => "not_offered",
        ErrorKind::ServiceError => "service_error",
        ErrorKind::MalformedResponse => "malformed_response",
        ErrorKind::Other => "other",
    }
}
