//! The JSON report: a public contract, in versioned structs of its own
//! ([`v1`]) that both write the model and read it back. Internal types can
//! change freely; a change to what `v1` serialises is a change to the
//! contract, which the test against `tests/fixtures/report-schema-v1.json`
//! catches.

pub mod v1;

use crate::model::Report;

pub use v1::{Exactness, ReadError, SCHEMA_VERSION, read, read_header};

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &v1::JsonReport::from(report))?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    crate::report::write::to_string(|out| write(report, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CallStats, CheckInfo, ExpiredEntry, FrameworkInfo, MutelistSummary, OperationStats, ReportFinding, ScanError,
        ScanSummary, ShardInfo, Tool, UnavailableFeature,
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
                unavailable_features: vec![UnavailableFeature {
                    account_id: "111122223333".into(),
                    region: "eu-west-1".into(),
                    feature: "ECR managed signing".into(),
                    service: "ecr".into(),
                    operation: "GetSigningConfiguration".into(),
                    message: "UnknownOperationException: Unknown operation".into(),
                    consequence: "signatures are judged from cosign tags and signature referrers alone".into(),
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
    /// For an additive change, `UPDATE_SNAPSHOTS=1 cargo test --lib
    /// schema_v1_is_frozen` rewrites the fixture from [`frozen_report`];
    /// review its diff.
    #[test]
    fn schema_v1_is_frozen() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report-schema-v1.json");
        let rendered = render(&frozen_report()).unwrap();
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|value| value == "1") {
            std::fs::write(path, &rendered).unwrap();
            return;
        }
        let frozen = std::fs::read_to_string(path).unwrap();
        let pretty = |text: &str| {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            serde_json::to_string_pretty(&value).unwrap()
        };
        let (now, fixture) = (pretty(&rendered), pretty(&frozen));
        let changed: Vec<String> = (0..now.lines().count().max(fixture.lines().count()))
            .filter_map(|at| {
                let (now, fixture) = (now.lines().nth(at).unwrap_or(""), fixture.lines().nth(at).unwrap_or(""));
                (now != fixture).then(|| format!("line {}:\n  fixture: {fixture}\n  now:     {now}", at + 1))
            })
            .take(10)
            .collect();
        assert!(
            changed.is_empty(),
            "the v1 report changed (first lines that differ):\n{}\nfor an additive change, \
             UPDATE_SNAPSHOTS=1 cargo test --lib schema_v1_is_frozen rewrites the fixture",
            changed.join("\n")
        );
    }
}

#[cfg(test)]
mod read_tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::model::ReportFinding;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report-schema-v1.json");

    fn frozen() -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
    }

    /// Reads `path` whole: its header, and its findings in order.
    fn read_all(
        path: &Path,
        exactness: Exactness,
    ) -> Result<(crate::model::ReportHeader, Vec<ReportFinding>), ReadError> {
        let mut findings = Vec::new();
        let header = read(path, exactness, &mut |finding| {
            findings.push(finding);
            Ok(())
        })?;
        Ok((header, findings))
    }

    fn written(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join("report.json");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_report_reads_back_whole() {
        let (header, findings) = read_all(Path::new(FIXTURE), Exactness::Exact).unwrap();
        assert_eq!(header.scan.shard.as_ref().map(|shard| shard.index), Some(1));
        let report = header.clone().into_report(findings.into(), Default::default());
        let again: serde_json::Value = serde_json::from_str(&render(&report).unwrap()).unwrap();
        assert_eq!(again, frozen());
        assert_eq!(report.history, None);
        assert_eq!(read_header(Path::new(FIXTURE), Exactness::Exact).unwrap(), header);
    }

    #[test]
    fn what_is_not_a_whole_v1_report_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut value = frozen();
            edit(&mut value);
            read_all(&written(&dir, &value.to_string()), Exactness::Exact).map(drop)
        };
        let message = |result: Result<(), ReadError>| result.unwrap_err().to_string();
        let path = dir.path().join("report.json").display().to_string();
        assert_eq!(
            message(read_all(&written(&dir, "{"), Exactness::Exact).map(drop)),
            format!("{path} is not a bulkhead JSON report: EOF while parsing an object at line 1 column 1")
        );
        assert_eq!(
            message(with(&|v| v["schema_version"] = 2.into())),
            format!("{path} has report schema version 2; this bulkhead reads version 1")
        );
        assert_eq!(
            message(with(&|v| {
                v.as_object_mut().unwrap().remove("schema_version");
            })),
            format!("{path} is not a bulkhead JSON report: it has no `schema_version`")
        );
        assert!(matches!(with(&|v| v["findings"] = 3.into()), Err(ReadError::NotAReport { .. })));
        assert!(matches!(with(&|v| v["findings"][0]["status"] = "MAYBE".into()), Err(ReadError::NotAReport { .. })));
        assert!(
            matches!(with(&|v| v["scan"]["added_later"] = true.into()), Err(ReadError::Lossy { at, .. }) if at == ".scan.added_later")
        );
        assert!(
            matches!(with(&|v| v["findings"][0]["added_later"] = true.into()), Err(ReadError::Lossy { at, .. }) if at == ".findings[0].added_later")
        );
        let missing = read_all(&dir.path().join("missing.json"), Exactness::Exact).map(drop);
        assert!(
            message(missing).starts_with(&format!("cannot read report {}", dir.path().join("missing.json").display()))
        );
    }

    #[test]
    fn a_reader_that_compares_passes_over_fields_it_does_not_know() {
        let dir = tempfile::tempdir().unwrap();
        let mut value = frozen();
        value["scan"]["added_later"] = true.into();
        value["findings"][0]["added_later"] = true.into();
        value["findings"][0].as_object_mut().unwrap().remove("failing_since");
        let (header, findings) = read_all(&written(&dir, &value.to_string()), Exactness::Known).unwrap();
        assert_eq!(header.scan.accounts, ["111122223333"]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].failing_since, None);
    }

    #[test]
    fn findings_stream_to_the_consumer_which_may_stop_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut value = frozen();
        let first = value["findings"][0].clone();
        let findings: Vec<serde_json::Value> = (0..5)
            .map(|n| {
                let mut finding = first.clone();
                finding["resource_id"] = format!("r-{n}").into();
                finding
            })
            .collect();
        value["findings"] = findings.into();
        let path = written(&dir, &value.to_string());
        let mut seen = Vec::new();
        read(&path, Exactness::Exact, &mut |finding| {
            seen.push(finding.resource_id);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["r-0", "r-1", "r-2", "r-3", "r-4"]);
        let mut taken = 0;
        let stopped = read(&path, Exactness::Known, &mut |_| {
            taken += 1;
            anyhow::ensure!(taken < 3, "enough");
            Ok(())
        });
        assert_eq!(stopped.unwrap_err().to_string(), format!("{}: enough", path.display()));
        assert_eq!(taken, 3, "the read stops at the finding the consumer refused");
    }
}
