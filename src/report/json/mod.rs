//! The JSON report: a public contract, in versioned structs of its own
//! ([`v1`]). Internal types can change freely; a change to what `v1`
//! serialises is a change to the contract, which the test against
//! `tests/fixtures/report-schema-v1.json` catches.

pub mod v1;

use crate::model::Report;

pub use v1::SCHEMA_VERSION;

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &v1::JsonReport::from(report))?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    crate::report::write::to_string(|out| write(report, out))
}

/// Why a file cannot be read back as a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("it is not JSON: {0}")]
    NotJson(String),
    #[error("it has no `schema_version`")]
    NoSchemaVersion,
    #[error("it has report schema version {0}; this bulkhead reads version {SCHEMA_VERSION}")]
    UnknownSchema(u64),
    #[error("it is not a bulkhead report: {0}")]
    NotAReport(String),
    #[error("it holds what this bulkhead would not write back the same (first at `{0}`): another bulkhead version?")]
    Lossy(String),
}

/// Reads a report this bulkhead wrote back into the model, whole. The
/// model is deserialised from the v1 file and rendered again; a file that
/// does not come back the same (a field another version added, a changed
/// value) is refused rather than carried over with something lost. The
/// report's history is not part of v1, so it does not come back.
pub fn parse(text: &[u8]) -> Result<Report, ParseError> {
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|err| ParseError::NotJson(err.to_string()))?;
    match value.get("schema_version").and_then(serde_json::Value::as_u64) {
        Some(found) if found == u64::from(SCHEMA_VERSION) => {}
        Some(found) => return Err(ParseError::UnknownSchema(found)),
        None => return Err(ParseError::NoSchemaVersion),
    }
    let report: Report =
        serde_json::from_value(value.clone()).map_err(|err| ParseError::NotAReport(err.to_string()))?;
    let again = serde_json::to_value(v1::JsonReport::from(&report)).expect("the report always serialises");
    match first_difference(&value, &again, String::new()) {
        Some(path) => Err(ParseError::Lossy(path)),
        None => Ok(report),
    }
}

/// The JSON path of the first place `a` and `b` differ.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|key| match (a.get(key), b.get(key)) {
                (Some(x), Some(y)) => first_difference(x, y, format!("{path}.{key}")),
                _ => Some(format!("{path}.{key}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (x, y))| first_difference(x, y, format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(if path.is_empty() { ".".to_owned() } else { path }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CallStats, CheckInfo, ExpiredEntry, FrameworkInfo, MutelistSummary, OperationStats, ReportFinding, ScanError,
        ScanSummary, ShardInfo, Tool,
    };
    use crate::severity::{Severity, Status};

    fn frozen_report() -> Report {
        Report {
            tool: Tool { name: "bulkhead".into(), version: "0.0.0".into() },
            scan: ScanSummary {
                account_names: [("111122223333".to_owned(), "acme-prod".to_owned())].into(),
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
                shard: Some(ShardInfo {
                    index: 1,
                    count: 3,
                    run_id: Some("nightly-42".into()),
                    fingerprint: "fnv1a64:0123456789abcdef".into(),
                    accounts_listed: 12,
                }),
                organizational_units: None,
            },
            findings: crate::model::Findings::from(vec![ReportFinding {
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
                remediation: crate::model::RemediationInfo {
                    text: "t".into(),
                    cli: "c".into(),
                    terraform: "tf".into(),
                },
            }],
            frameworks: vec![FrameworkInfo {
                id: "cis-aws-5.0".into(),
                name: "CIS".into(),
                version: "5.0.0".into(),
                controls: vec![crate::model::ControlInfo {
                    id: "5.3".into(),
                    title: "t".into(),
                    checks: vec!["ecr_images_signed".into()],
                }],
            }],
            history: None,
            vulnerabilities: Some(vec![crate::model::VulnerableImage {
                rank: 1,
                account_id: "111122223333".into(),
                region: "eu-west-1".into(),
                image: "app@sha256:0123".into(),
                resource_arn: "arn:aws:ecr:eu-west-1:111122223333:repository/app/sha256:0123".into(),
                exposure: crate::model::Exposure::Internet,
                running_tasks: 2,
                services: vec!["prod/web (eu-west-1)".into()],
                reachable_through: vec!["internet-facing application load balancer web".into()],
                highest_severity: Some("CRITICAL".into()),
                severity_counts: [("CRITICAL".to_owned(), 1), ("LOW".to_owned(), 3)].into(),
                fixable: 1,
                exploitable: 1,
                findings_total: 4,
                findings: vec![crate::model::VulnerabilityInfo {
                    id: "CVE-2024-3094".into(),
                    severity: "CRITICAL".into(),
                    package: Some("xz-utils 5.6.0".into()),
                    fixed_in: Some("5.6.1".into()),
                    fix_available: Some("YES".into()),
                    exploit_available: Some("YES".into()),
                    score: Some(10.0),
                    uri: Some("https://nvd.nist.gov/vuln/detail/CVE-2024-3094".into()),
                }],
                scan: "complete".into(),
                reasons: vec!["runs in 2 task(s) of prod/web (eu-west-1)".into()],
            }]),
            tally: Default::default(),
        }
    }

    /// Freezes schema v1: a change to any field name or shape fails here.
    /// Rewrites the frozen fixture from [`frozen_report`], for an additive
    /// change: `cargo test --lib write_the_frozen_fixture -- --ignored`.
    #[test]
    #[ignore]
    fn write_the_frozen_fixture() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report-schema-v1.json");
        std::fs::write(path, render(&frozen_report()).unwrap()).unwrap();
    }

    #[test]
    fn schema_v1_is_frozen() {
        let report = frozen_report();
        let rendered: serde_json::Value = serde_json::from_str(&render(&report).unwrap()).unwrap();
        let frozen: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/report-schema-v1.json")).unwrap();
        assert_eq!(rendered, frozen);
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    fn frozen() -> serde_json::Value {
        serde_json::from_str(include_str!("../../../tests/fixtures/report-schema-v1.json")).unwrap()
    }

    #[test]
    fn a_report_reads_back_whole() {
        let text = include_str!("../../../tests/fixtures/report-schema-v1.json");
        let report = parse(text.as_bytes()).unwrap();
        let again: serde_json::Value = serde_json::from_str(&render(&report).unwrap()).unwrap();
        assert_eq!(again, frozen());
        assert_eq!(report.scan.shard.as_ref().map(|shard| shard.index), Some(1));
        assert_eq!(report.history, None);
    }

    #[test]
    fn what_is_not_a_whole_v1_report_is_refused() {
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut value = frozen();
            edit(&mut value);
            parse(value.to_string().as_bytes())
        };
        assert_eq!(parse(b"{"), Err(ParseError::NotJson("EOF while parsing an object at line 1 column 1".into())));
        assert_eq!(with(&|v| v["schema_version"] = 2.into()), Err(ParseError::UnknownSchema(2)));
        assert_eq!(
            with(&|v| {
                v.as_object_mut().unwrap().remove("schema_version");
            }),
            Err(ParseError::NoSchemaVersion)
        );
        assert!(matches!(with(&|v| v["findings"] = 3.into()), Err(ParseError::NotAReport(_))));
        assert_eq!(
            with(&|v| v["scan"]["added_later"] = true.into()),
            Err(ParseError::Lossy(".scan.added_later".into()))
        );
    }
}
