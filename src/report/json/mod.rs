//! The JSON report: a public contract, in versioned structs of its own
//! ([`v1`]). Internal types can change freely; a change to what `v1`
//! serialises is a change to the contract, which the test against
//! `tests/fixtures/report-schema-v1.json` catches.

pub mod v1;

use super::Report;

pub use v1::SCHEMA_VERSION;

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &v1::JsonReport::from(report))?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut text = Vec::new();
    write(report, &mut text)?;
    Ok(String::from_utf8(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{
        CallStats, CheckInfo, ExpiredEntry, FrameworkInfo, MutelistSummary, OperationStats, ReportFinding, ScanError,
        ScanSummary, Tool,
    };
    use crate::severity::{Severity, Status};

    /// Freezes schema v1: a change to any field name or shape fails here.
    #[test]
    fn schema_v1_is_frozen() {
        let report = Report {
            tool: Tool { name: "bulkhead".into(), version: "0.0.0".into() },
            scan: ScanSummary {
                account_names: Default::default(),
                started_at: "2026-01-01T00:00:00Z".into(),
                finished_at: "2026-01-01T00:00:05Z".into(),
                principal_arn: "arn:aws:iam::111122223333:role/audit".into(),
                accounts: vec!["111122223333".into()],
                regions: vec!["eu-west-1".into()],
                checks: vec!["ecr_images_signed".into()],
                errors: vec![ScanError {
                    account_id: "111122223333".into(),
                    region: "eu-west-1".into(),
                    service: "ecr".into(),
                    operation: "DescribeRepositories".into(),
                    kind: "access_denied".into(),
                    message: "AccessDeniedException: no".into(),
                }],
                mutelist: Some(MutelistSummary {
                    path: "mutelist.yaml".into(),
                    entries: 2,
                    expired: vec![ExpiredEntry {
                        account: "*".into(),
                        check: "ecr_*".into(),
                        expires: "2025-12-31".into(),
                        reason: "r".into(),
                    }],
                }),
                stats: CallStats {
                    calls: 2,
                    attempts: 3,
                    retries: 1,
                    throttles: 1,
                    critical_path_depth: 2,
                    operations: vec![OperationStats {
                        service: "ecr".into(),
                        operation: "DescribeImages".into(),
                        region: "eu-west-1".into(),
                        calls: 2,
                        attempts: 3,
                        retries: 1,
                        throttles: 1,
                    }],
                },
            },
            findings: crate::report::Findings::from(vec![ReportFinding {
                check_id: "ecr_images_signed".into(),
                title: "t".into(),
                severity: Severity::Medium,
                status: Status::Error,
                muted: true,
                mute_reason: Some("accepted".into()),
                account_id: "111122223333".into(),
                region: "eu-west-1".into(),
                service: "ecr".into(),
                resource_type: "AwsEcrRepository".into(),
                resource_id: "eu-west-1".into(),
                resource_arn: "arn:aws:ecr:eu-west-1:111122223333:repository/*".into(),
                message: "m".into(),
                compliance: [("cis-aws-5.0".to_owned(), vec!["5.3".to_owned(), "5.4".to_owned()])].into(),
                resource_name: "n".into(),
                resource_tags: [("Team".to_owned(), "web".to_owned())].into(),
                resource_details: "d".into(),
                failing_since: None,
            }]),
            checks: vec![CheckInfo {
                id: "ecr_images_signed".into(),
                service: "ecr".into(),
                title: "t".into(),
                severity: Severity::Medium,
                resource_type: "AwsEcrRepository".into(),
                sarif_id: "BH0016".into(),
                description: "d".into(),
                risk: "r".into(),
                shared_responsibility: "application".into(),
                references: vec!["https://example.com".into()],
                remediation: crate::report::RemediationInfo {
                    text: "t".into(),
                    cli: "c".into(),
                    terraform: "tf".into(),
                },
            }],
            frameworks: vec![FrameworkInfo {
                id: "cis-aws-5.0".into(),
                name: "CIS".into(),
                version: "5.0.0".into(),
                controls: vec![crate::report::ControlInfo {
                    id: "5.3".into(),
                    title: "t".into(),
                    checks: vec!["ecr_images_signed".into()],
                }],
            }],
            history: None,
        };
        let rendered: serde_json::Value = serde_json::from_str(&render(&report).unwrap()).unwrap();
        let frozen: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/report-schema-v1.json")).unwrap();
        assert_eq!(rendered, frozen);
    }
}
