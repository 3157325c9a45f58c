//! The finished report model, and its renderers. Renderers take a
//! [`Report`] only: they never see checks or inventory.

pub mod changes;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod model;
pub mod ocsf;
pub mod sarif;
mod write;

pub use model::{
    CallStats, ChangedFinding, Changes, CheckInfo, ControlInfo, ExpiredEntry, FrameworkInfo, History, MutelistSummary,
    OperationStats, RemediationInfo, Report, ReportFinding, ResourceRef, ScanError, ScanInfo, ScanSummary, Tool, Trend,
    TrendPoint,
};
pub use write::write_atomically;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Json,
    Html,
    Ocsf,
    Junit,
    Sarif,
    Csv,
}

impl Format {
    /// What follows `--output-name` in the file name.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Html => "html",
            Format::Ocsf => "ocsf.json",
            Format::Junit => "junit.xml",
            Format::Sarif => "sarif",
            Format::Csv => "csv",
        }
    }

    pub fn render(self, report: &Report) -> anyhow::Result<Vec<u8>> {
        Ok(match self {
            Format::Json => json::render(report).into_bytes(),
            Format::Html => html::render(report)?.into_bytes(),
            Format::Ocsf => ocsf::render(report).into_bytes(),
            Format::Junit => junit::render(report)?,
            Format::Sarif => sarif::render(report)?.into_bytes(),
            Format::Csv => csv::render(report)?,
        })
    }
}

impl Report {
    /// A check's metadata, when the report carries it.
    pub fn check(&self, id: &str) -> Option<&CheckInfo> {
        self.checks.iter().find(|check| check.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::{Severity, Status};

    fn hostile_report() -> Report {
        let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)> & \u{1} ,\"quoted\"\nline";
        Report {
            tool: Tool { name: "bulkhead".into(), version: "0.0.0".into() },
            scan: ScanSummary {
                started_at: "2026-01-01T00:00:00Z".into(),
                finished_at: "2026-01-01T00:00:05Z".into(),
                principal_arn: "arn:aws:iam::111122223333:role/audit".into(),
                accounts: vec!["111122223333".into()],
                regions: vec!["eu-west-1".into()],
                checks: vec!["c".into()],
                errors: vec![],
                mutelist: None,
                stats: CallStats::default(),
            },
            findings: vec![ReportFinding {
                check_id: "c".into(),
                title: evil.into(),
                severity: Severity::High,
                status: Status::Fail,
                muted: false,
                mute_reason: None,
                account_id: "111122223333".into(),
                region: "eu-west-1".into(),
                service: "ec2".into(),
                resource_type: "AwsEc2SecurityGroup".into(),
                resource_id: "sg-1".into(),
                resource_arn: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1".into(),
                message: evil.into(),
                compliance: Default::default(),
                resource_name: evil.into(),
                resource_tags: [(evil.to_owned(), evil.to_owned())].into(),
                resource_details: evil.into(),
                failing_since: None,
            }],
            checks: vec![],
            frameworks: vec![],
            history: None,
        }
    }

    #[test]
    fn html_escapes_everything_from_aws() {
        let html = html::render(&hostile_report()).unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
        assert_eq!(html.matches("<script").count(), 1, "only our own script element");
    }

    #[test]
    fn junit_drops_characters_xml_cannot_carry_and_escapes_the_rest() {
        let xml = String::from_utf8(junit::render(&hostile_report()).unwrap()).unwrap();
        assert!(!xml.contains('\u{1}'));
        assert!(!xml.contains("<script>") && !xml.contains("<img"));
        assert!(xml.contains("<failure message=\"&lt;script&gt;"));
    }

    #[test]
    fn csv_quotes_per_rfc_4180() {
        let text = String::from_utf8(csv::render(&hostile_report()).unwrap()).unwrap();
        assert!(
            text.contains(
                "\"<script>alert(1)</script>\"\"><img src=x onerror=alert(2)> & \u{1} ,\"\"quoted\"\"\nline\""
            )
        );
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[13], hostile_report().findings[0].message);
    }

    #[test]
    fn every_format_renders_an_empty_report() {
        let mut report = hostile_report();
        report.findings.clear();
        for format in [Format::Json, Format::Html, Format::Ocsf, Format::Junit, Format::Sarif, Format::Csv] {
            assert!(!format.render(&report).unwrap().is_empty(), "{format:?}");
        }
    }
}
