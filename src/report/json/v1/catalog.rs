//! The checks and compliance frameworks a report carries, as v1 writes and
//! reads them.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{Text, Texts, text};
use crate::model;
use crate::severity::Severity;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Check<'a> {
    id: Text<'a>,
    service: Text<'a>,
    title: Text<'a>,
    severity: Severity,
    resource_type: Text<'a>,
    /// Added in 0.2 (additive): the stable SARIF rule id (`BH0001`).
    #[serde(default)]
    sarif_id: Text<'a>,
    description: Text<'a>,
    risk: Text<'a>,
    shared_responsibility: Text<'a>,
    references: Texts<'a>,
    remediation: Remediation<'a>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Remediation<'a> {
    text: Text<'a>,
    cli: Text<'a>,
    terraform: Text<'a>,
}

impl<'a> From<&'a model::CheckInfo> for Check<'a> {
    fn from(check: &'a model::CheckInfo) -> Self {
        Check {
            id: text(&check.id),
            service: text(&check.service),
            title: text(&check.title),
            severity: check.severity,
            resource_type: text(&check.resource_type),
            sarif_id: text(&check.sarif_id),
            description: text(&check.description),
            risk: text(&check.risk),
            shared_responsibility: text(&check.shared_responsibility),
            references: Cow::Borrowed(&check.references),
            remediation: Remediation {
                text: text(&check.remediation.text),
                cli: text(&check.remediation.cli),
                terraform: text(&check.remediation.terraform),
            },
        }
    }
}

impl From<Check<'_>> for model::CheckInfo {
    fn from(check: Check<'_>) -> Self {
        model::CheckInfo {
            id: check.id.into_owned(),
            service: check.service.into_owned(),
            title: check.title.into_owned(),
            severity: check.severity,
            resource_type: check.resource_type.into_owned(),
            sarif_id: check.sarif_id.into_owned(),
            description: check.description.into_owned(),
            risk: check.risk.into_owned(),
            shared_responsibility: check.shared_responsibility.into_owned(),
            references: check.references.into_owned(),
            remediation: model::RemediationInfo {
                text: check.remediation.text.into_owned(),
                cli: check.remediation.cli.into_owned(),
                terraform: check.remediation.terraform.into_owned(),
            },
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Framework<'a> {
    id: Text<'a>,
    name: Text<'a>,
    version: Text<'a>,
    controls: Vec<Control<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Control<'a> {
    id: Text<'a>,
    title: Text<'a>,
    checks: Texts<'a>,
}

impl<'a> From<&'a model::FrameworkInfo> for Framework<'a> {
    fn from(framework: &'a model::FrameworkInfo) -> Self {
        Framework {
            id: text(&framework.id),
            name: text(&framework.name),
            version: text(&framework.version),
            controls: framework
                .controls
                .iter()
                .map(|control| Control {
                    id: text(&control.id),
                    title: text(&control.title),
                    checks: Cow::Borrowed(&control.checks),
                })
                .collect(),
        }
    }
}

impl From<Framework<'_>> for model::FrameworkInfo {
    fn from(framework: Framework<'_>) -> Self {
        model::FrameworkInfo {
            id: framework.id.into_owned(),
            name: framework.name.into_owned(),
            version: framework.version.into_owned(),
            controls: framework
                .controls
                .into_iter()
                .map(|control| model::ControlInfo {
                    id: control.id.into_owned(),
                    title: control.title.into_owned(),
                    checks: control.checks.into_owned(),
                })
                .collect(),
        }
    }
}
