//! CSV: one row per finding, RFC 4180 quoting (the `csv` crate quotes every
//! field that holds a comma, quote or line break, and doubles quotes).

use std::io::Write;

use crate::model::Report;

const HEADER: [&str; 16] = [
    "account_id",
    "region",
    "check_id",
    "title",
    "service",
    "severity",
    "status",
    "muted",
    "resource_type",
    "resource_id",
    "resource_arn",
    "resource_name",
    "resource_tags",
    "message",
    "compliance",
    "shared_responsibility",
];

pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write(report, &mut bytes)?;
    Ok(bytes)
}

pub fn write(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    // RFC 4180 ends records with CRLF.
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    writer.write_record(HEADER)?;
    report.findings.each(|_, finding| {
        let tags: Vec<String> = finding.resource_tags.iter().map(|(key, value)| format!("{key}={value}")).collect();
        let compliance: Vec<String> = finding
            .compliance
            .iter()
            .map(|(framework, controls)| format!("{framework}: {}", controls.join(" ")))
            .collect();
        let area = report.check(&finding.check_id).map(|check| check.shared_responsibility.as_str()).unwrap_or("");
        writer.write_record([
            finding.account_id.as_str(),
            &finding.region,
            &finding.check_id,
            &finding.title,
            &finding.service,
            finding.severity.as_str(),
            finding.status.as_str(),
            if finding.muted { "true" } else { "false" },
            &finding.resource_type,
            &finding.resource_id,
            &finding.resource_arn,
            &finding.resource_name,
            &tags.join("; "),
            &finding.message,
            &compliance.join("; "),
            area,
        ])?;
        Ok(())
    })?;
    writer.flush()?;
    Ok(())
}
