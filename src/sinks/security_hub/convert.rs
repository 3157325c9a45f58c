//! The renderer's ASFF JSON as the SDK's `AwsSecurityFinding`. Every field
//! the renderer writes is taken; one this does not know is an error, so a
//! field added to the file cannot be silently left out of the import.

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, FindingProviderFields, FindingProviderSeverity, Partition,
    Recommendation, RecordState, Remediation, Resource, ResourceDetails, Severity, SeverityLabel, Workflow,
    WorkflowStatus,
};
use serde_json::{Map, Value};

/// Takes the fields of one JSON object, one at a time.
struct Fields {
    what: &'static str,
    map: Map<String, Value>,
}

impl Fields {
    fn of(what: &'static str, value: Value) -> Result<Fields> {
        match value {
            Value::Object(map) => Ok(Fields { what, map }),
            other => bail!("ASFF {what} is not an object: {other}"),
        }
    }

    fn text(&mut self, key: &str) -> Result<Option<String>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => bail!("ASFF {}.{key} is not a string: {other}", self.what),
        }
    }

    fn texts(&mut self, key: &str) -> Result<Option<Vec<String>>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(value) => serde_json::from_value(value).map(Some).with_context(|| format!("ASFF {}.{key}", self.what)),
        }
    }

    fn table(&mut self, key: &str) -> Result<Option<HashMap<String, String>>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(value) => serde_json::from_value(value).map(Some).with_context(|| format!("ASFF {}.{key}", self.what)),
        }
    }

    fn object(&mut self, key: &str, what: &'static str) -> Result<Option<Fields>> {
        self.map.remove(key).map(|value| Fields::of(what, value)).transpose()
    }

    /// Every field was taken.
    fn done(self) -> Result<()> {
        if let Some(key) = self.map.keys().next() {
            bail!("ASFF {}.{key} is not sent to Security Hub: teach sinks::security_hub::convert the field", self.what);
        }
        Ok(())
    }
}

/// One finding.
pub fn finding(value: Value) -> Result<AwsSecurityFinding> {
    let mut fields = Fields::of("finding", value)?;
    let builder = AwsSecurityFinding::builder()
        .set_schema_version(fields.text("SchemaVersion")?)
        .set_id(fields.text("Id")?)
        .set_product_arn(fields.text("ProductArn")?)
        .set_product_name(fields.text("ProductName")?)
        .set_company_name(fields.text("CompanyName")?)
        .set_region(fields.text("Region")?)
        .set_generator_id(fields.text("GeneratorId")?)
        .set_aws_account_id(fields.text("AwsAccountId")?)
        .set_aws_account_name(fields.text("AwsAccountName")?)
        .set_types(fields.texts("Types")?)
        .set_created_at(fields.text("CreatedAt")?)
        .set_updated_at(fields.text("UpdatedAt")?)
        .set_title(fields.text("Title")?)
        .set_description(fields.text("Description")?)
        .set_product_fields(fields.table("ProductFields")?)
        .set_record_state(fields.text("RecordState")?.map(|state| RecordState::from(state.as_str())));
    let builder = builder
        .set_severity(fields.object("Severity", "Severity")?.map(severity).transpose()?)
        .set_remediation(fields.object("Remediation", "Remediation")?.map(remediation).transpose()?)
        .set_compliance(fields.object("Compliance", "Compliance")?.map(compliance).transpose()?)
        .set_workflow(fields.object("Workflow", "Workflow")?.map(workflow).transpose()?)
        .set_finding_provider_fields(
            fields.object("FindingProviderFields", "FindingProviderFields")?.map(provider_fields).transpose()?,
        );
    let resources = match fields.map.remove("Resources") {
        Some(Value::Array(resources)) => Some(resources.into_iter().map(resource).collect::<Result<Vec<_>>>()?),
        Some(other) => bail!("ASFF finding.Resources is not a list: {other}"),
        None => None,
    };
    let builder = builder.set_resources(resources);
    fields.done()?;
    Ok(builder.build())
}

fn severity(mut fields: Fields) -> Result<Severity> {
    let built = Severity::builder()
        .set_label(fields.text("Label")?.map(|label| SeverityLabel::from(label.as_str())))
        .set_original(fields.text("Original")?)
        .build();
    fields.done()?;
    Ok(built)
}

fn remediation(mut fields: Fields) -> Result<Remediation> {
    let recommendation = match fields.object("Recommendation", "Remediation.Recommendation")? {
        Some(mut inner) => {
            let built = Recommendation::builder().set_text(inner.text("Text")?).set_url(inner.text("Url")?).build();
            inner.done()?;
            Some(built)
        }
        None => None,
    };
    fields.done()?;
    Ok(Remediation::builder().set_recommendation(recommendation).build())
}

fn compliance(mut fields: Fields) -> Result<Compliance> {
    let built = Compliance::builder()
        .set_status(fields.text("Status")?.map(|status| ComplianceStatus::from(status.as_str())))
        .set_related_requirements(fields.texts("RelatedRequirements")?)
        .build();
    fields.done()?;
    Ok(built)
}

fn workflow(mut fields: Fields) -> Result<Workflow> {
    let built = Workflow::builder()
        .set_status(fields.text("Status")?.map(|status| WorkflowStatus::from(status.as_str())))
        .build();
    fields.done()?;
    Ok(built)
}

fn provider_fields(mut fields: Fields) -> Result<FindingProviderFields> {
    let severity = match fields.object("Severity", "FindingProviderFields.Severity")? {
        Some(mut inner) => {
            let built = FindingProviderSeverity::builder()
                .set_label(inner.text("Label")?.map(|label| SeverityLabel::from(label.as_str())))
                .set_original(inner.text("Original")?)
                .build();
            inner.done()?;
            Some(built)
        }
        None => None,
    };
    let built = FindingProviderFields::builder().set_severity(severity).set_types(fields.texts("Types")?).build();
    fields.done()?;
    Ok(built)
}

fn resource(value: Value) -> Result<Resource> {
    let mut fields = Fields::of("Resources[]", value)?;
    let details = match fields.object("Details", "Resources[].Details")? {
        Some(mut inner) => {
            let built = ResourceDetails::builder().set_other(inner.table("Other")?).build();
            inner.done()?;
            Some(built)
        }
        None => None,
    };
    let built = Resource::builder()
        .set_type(fields.text("Type")?)
        .set_id(fields.text("Id")?)
        .set_partition(fields.text("Partition")?.map(|partition| Partition::from(partition.as_str())))
        .set_region(fields.text("Region")?)
        .set_tags(fields.table("Tags")?)
        .set_details(details)
        .build();
    fields.done()?;
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_the_renderer_writes_is_sent() {
        let report = crate::sinks::testing::full_report();
        let finding_in_report = &report.findings.to_vec().unwrap()[0];
        let value = crate::report::asff::asff_finding(&report, finding_in_report);
        for key in ["Remediation", "AwsAccountName", "ProductFields", "FindingProviderFields"] {
            assert!(value.get(key).is_some(), "the sample fills {key}");
        }
        assert!(value["Resources"][0].get("Tags").is_some() && value["Resources"][0].get("Details").is_some());
        let built = finding(value.clone()).unwrap();
        assert_eq!(built.id(), value["Id"].as_str());
        assert_eq!(built.aws_account_name(), Some("prod"));
        assert_eq!(built.workflow().and_then(|w| w.status()).map(|s| s.as_str()), Some("SUPPRESSED"));
        assert_eq!(built.compliance().map(|c| c.related_requirements().len()), Some(1));
        let resource = &built.resources()[0];
        assert_eq!(resource.tags().and_then(|tags| tags.get("team")).map(String::as_str), Some("a"));
        assert!(built.remediation().and_then(|r| r.recommendation()).and_then(|r| r.url()).is_some());
        let unknown = serde_json::json!({"Id": "x", "Novel": 1});
        assert!(finding(unknown).unwrap_err().to_string().contains("finding.Novel"));
    }
}
