//! A finding, as v1 writes and reads it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::ser::SerializeSeq as _;
use serde::{Deserialize, Serialize};

use super::{Text, optional, owned, text};
use crate::model;
use crate::model::findings::serialize_each;
use crate::severity::{Severity, Status};

/// The findings as v1 writes them, each converted as the array is written.
#[derive(Debug)]
pub(super) struct Findings<'a>(pub(super) &'a model::Findings);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_each(self.0, serializer, |finding, seq| seq.serialize_element(&Finding::from(finding)))
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Finding<'a> {
    check_id: Text<'a>,
    title: Text<'a>,
    severity: Severity,
    status: Status,
    muted: bool,
    mute_reason: Option<Text<'a>>,
    account_id: Text<'a>,
    region: Text<'a>,
    service: Text<'a>,
    resource_type: Text<'a>,
    resource_id: Text<'a>,
    resource_arn: Text<'a>,
    message: Text<'a>,
    compliance: Cow<'a, BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    resource_name: Text<'a>,
    #[serde(default)]
    resource_tags: Cow<'a, BTreeMap<String, String>>,
    #[serde(default)]
    resource_details: Text<'a>,
    /// Added in 0.2 (additive): when the finding's run of FAILs began, as
    /// far back as the scan store or baseline reaches; `null` otherwise.
    #[serde(default)]
    failing_since: Option<Text<'a>>,
}

impl<'a> From<&'a model::ReportFinding> for Finding<'a> {
    fn from(finding: &'a model::ReportFinding) -> Self {
        Finding {
            check_id: text(&finding.check_id),
            title: text(&finding.title),
            severity: finding.severity,
            status: finding.status,
            muted: finding.muted,
            mute_reason: optional(&finding.mute_reason),
            account_id: text(&finding.account_id),
            region: text(&finding.region),
            service: text(&finding.service),
            resource_type: text(&finding.resource_type),
            resource_id: text(&finding.resource_id),
            resource_arn: text(&finding.resource_arn),
            message: text(&finding.message),
            compliance: Cow::Borrowed(&finding.compliance),
            resource_name: text(&finding.resource_name),
            resource_tags: Cow::Borrowed(&finding.resource_tags),
            resource_details: text(&finding.resource_details),
            failing_since: optional(&finding.failing_since),
        }
    }
}

impl From<Finding<'_>> for model::ReportFinding {
    fn from(finding: Finding<'_>) -> Self {
        model::ReportFinding {
            check_id: finding.check_id.into_owned(),
            title: finding.title.into_owned(),
            severity: finding.severity,
            status: finding.status,
            muted: finding.muted,
            mute_reason: owned(finding.mute_reason),
            account_id: finding.account_id.into_owned(),
            region: finding.region.into_owned(),
            service: finding.service.into_owned(),
            resource_type: finding.resource_type.into_owned(),
            resource_id: finding.resource_id.into_owned(),
            resource_arn: finding.resource_arn.into_owned(),
            message: finding.message.into_owned(),
            compliance: finding.compliance.into_owned(),
            resource_name: finding.resource_name.into_owned(),
            resource_tags: finding.resource_tags.into_owned(),
            resource_details: finding.resource_details.into_owned(),
            failing_since: owned(finding.failing_since),
        }
    }
}
