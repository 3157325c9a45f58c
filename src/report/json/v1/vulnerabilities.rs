//! The images in use with scan findings, as v1 writes and reads them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Text, Texts, optional, owned, text};
use crate::model;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct VulnerableImage<'a> {
    rank: usize,
    account_id: Text<'a>,
    region: Text<'a>,
    image: Text<'a>,
    resource_arn: Text<'a>,
    exposure: Exposure,
    running_tasks: usize,
    services: Texts<'a>,
    reachable_through: Texts<'a>,
    highest_severity: Option<Text<'a>>,
    severity_counts: Cow<'a, BTreeMap<String, usize>>,
    fixable: usize,
    exploitable: usize,
    findings_total: usize,
    findings: Vec<Vulnerability<'a>>,
    scan: Text<'a>,
    reasons: Texts<'a>,
}

/// How the internet reaches an image, as v1 spells it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Exposure {
    Internet,
    Unknown,
    Internal,
    NotRunning,
}

impl From<model::Exposure> for Exposure {
    fn from(exposure: model::Exposure) -> Self {
        match exposure {
            model::Exposure::Internet => Exposure::Internet,
            model::Exposure::Unknown => Exposure::Unknown,
            model::Exposure::Internal => Exposure::Internal,
            model::Exposure::NotRunning => Exposure::NotRunning,
        }
    }
}

impl From<Exposure> for model::Exposure {
    fn from(exposure: Exposure) -> Self {
        match exposure {
            Exposure::Internet => model::Exposure::Internet,
            Exposure::Unknown => model::Exposure::Unknown,
            Exposure::Internal => model::Exposure::Internal,
            Exposure::NotRunning => model::Exposure::NotRunning,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Vulnerability<'a> {
    id: Text<'a>,
    severity: Text<'a>,
    package: Option<Text<'a>>,
    fixed_in: Option<Text<'a>>,
    fix_available: Option<Text<'a>>,
    exploit_available: Option<Text<'a>>,
    score: Option<f64>,
    uri: Option<Text<'a>>,
}

impl<'a> From<&'a model::VulnerableImage> for VulnerableImage<'a> {
    fn from(image: &'a model::VulnerableImage) -> Self {
        VulnerableImage {
            rank: image.rank,
            account_id: text(&image.account_id),
            region: text(&image.region),
            image: text(&image.image),
            resource_arn: text(&image.resource_arn),
            exposure: image.exposure.into(),
            running_tasks: image.running_tasks,
            services: Cow::Borrowed(&image.services),
            reachable_through: Cow::Borrowed(&image.reachable_through),
            highest_severity: optional(&image.highest_severity),
            severity_counts: Cow::Borrowed(&image.severity_counts),
            fixable: image.fixable,
            exploitable: image.exploitable,
            findings_total: image.findings_total,
            findings: image.findings.iter().map(Vulnerability::from).collect(),
            scan: text(&image.scan),
            reasons: Cow::Borrowed(&image.reasons),
        }
    }
}

impl From<VulnerableImage<'_>> for model::VulnerableImage {
    fn from(image: VulnerableImage<'_>) -> Self {
        model::VulnerableImage {
            rank: image.rank,
            account_id: image.account_id.into_owned(),
            region: image.region.into_owned(),
            image: image.image.into_owned(),
            resource_arn: image.resource_arn.into_owned(),
            exposure: image.exposure.into(),
            running_tasks: image.running_tasks,
            services: image.services.into_owned(),
            reachable_through: image.reachable_through.into_owned(),
            highest_severity: owned(image.highest_severity),
            severity_counts: image.severity_counts.into_owned(),
            fixable: image.fixable,
            exploitable: image.exploitable,
            findings_total: image.findings_total,
            findings: image.findings.into_iter().map(model::VulnerabilityInfo::from).collect(),
            scan: image.scan.into_owned(),
            reasons: image.reasons.into_owned(),
        }
    }
}

impl<'a> From<&'a model::VulnerabilityInfo> for Vulnerability<'a> {
    fn from(finding: &'a model::VulnerabilityInfo) -> Self {
        Vulnerability {
            id: text(&finding.id),
            severity: text(&finding.severity),
            package: optional(&finding.package),
            fixed_in: optional(&finding.fixed_in),
            fix_available: optional(&finding.fix_available),
            exploit_available: optional(&finding.exploit_available),
            score: finding.score,
            uri: optional(&finding.uri),
        }
    }
}

impl From<Vulnerability<'_>> for model::VulnerabilityInfo {
    fn from(finding: Vulnerability<'_>) -> Self {
        model::VulnerabilityInfo {
            id: finding.id.into_owned(),
            severity: finding.severity.into_owned(),
            package: owned(finding.package),
            fixed_in: owned(finding.fixed_in),
            fix_available: owned(finding.fix_available),
            exploit_available: owned(finding.exploit_available),
            score: finding.score,
            uri: owned(finding.uri),
        }
    }
}
