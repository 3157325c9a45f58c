//! The report's views without a browser: compliance agrees with the CSVs,
//! the changes section stays short, the fleet has a row per account.

use crate::model::{
    ChangedFinding, Changes, CheckInfo, ControlInfo, FrameworkInfo, History, RemediationInfo, Report, ReportFinding,
    ScanSummary, Tool,
};
use crate::severity::{Severity, Status};

fn finding(account: &str, check: &str, resource: usize, status: Status) -> ReportFinding {
    ReportFinding {
        check_id: check.into(),
        title: check.into(),
        severity: if check == "a" { Severity::Critical } else { Severity::Low },
        status,
        muted: false,
        mute_reason: None,
        account_id: account.into(),
        region: "eu-west-1".into(),
        service: "ec2".into(),
        resource_type: "AwsEc2SecurityGroup".into(),
        resource_id: format!("sg-{resource}"),
        resource_arn: format!("arn:aws:ec2:eu-west-1:{account}:security-group/sg-{resource}"),
        message: "m".into(),
        compliance: [("f".to_owned(), vec![format!("{check}.1")])].into(),
        resource_name: String::new(),
        resource_tags: Default::default(),
        resource_details: String::new(),
        failing_since: None,
    }
}

fn check(id: &str) -> CheckInfo {
    CheckInfo {
        id: id.into(),
        service: "ec2".into(),
        title: id.into(),
        severity: if id == "a" { Severity::Critical } else { Severity::Low },
        resource_type: "AwsEc2SecurityGroup".into(),
        sarif_id: String::new(),
        description: String::new(),
        risk: String::new(),
        shared_responsibility: "network".into(),
        references: vec![],
        remediation: RemediationInfo { text: String::new(), cli: String::new(), terraform: String::new() },
    }
}

fn report() -> Report {
    let mut findings = Vec::new();
    for account in ["111111111111", "222222222222"] {
        for resource in 0..200 {
            findings.push(finding(account, "a", resource, Status::Fail));
            findings.push(finding(
                account,
                "b",
                resource,
                if resource % 2 == 0 { Status::Error } else { Status::Pass },
            ));
        }
    }
    let still_failing: Vec<ChangedFinding> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .take(300)
        .map(|f| ChangedFinding {
            account_id: f.account_id.clone(),
            region: f.region.clone(),
            check_id: f.check_id.clone(),
            resource_id: f.resource_id.clone(),
            resource_arn: f.resource_arn.clone(),
            severity: f.severity,
            status: f.status,
            muted: false,
            message: f.message.clone(),
            failing_since: Some("2026-11-01T00:00:00Z".into()),
            age_days: Some(30),
            resolution: None,
        })
        .collect();
    let mut report = Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at: "2026-12-01T00:00:00Z".into(),
            finished_at: "2026-12-01T00:01:00Z".into(),
            principal_arn: "arn".into(),
            accounts: vec!["111111111111".into(), "222222222222".into()],
            account_names: Default::default(),
            regions: vec!["eu-west-1".into()],
            checks: vec!["a".into(), "b".into()],
            errors: vec![],
            unavailable_features: vec![],
            mutelist: None,
            stats: Default::default(),
            shard: None,
            organizational_units: None,
        },
        findings: findings.into(),
        checks: vec![check("a"), check("b")],
        frameworks: vec![FrameworkInfo {
            id: "f".into(),
            name: "F".into(),
            version: "1".into(),
            controls: ["a", "b", "c"]
                .iter()
                .map(|id| ControlInfo { id: format!("{id}.1"), title: (*id).into(), checks: vec![(*id).into()] })
                .collect(),
        }],
        history: Some(History { changes: Some(Changes { still_failing, ..Changes::default() }), trends: vec![] }),
        vulnerabilities: None,
        tally: Default::default(),
    };
    report.recount().unwrap();
    report
}

#[test]
fn compliance_at_a_glance_counts_the_csv_statuses() {
    let report = report();
    let html = super::render(&report).unwrap();
    let mut csv = Vec::new();
    crate::report::compliance::write(&report, &report.frameworks[0], &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let count = |status: &str| csv.lines().filter(|line| line.contains(&format!(",{status},"))).count();
    assert_eq!((count("FAIL"), count("ERROR"), count("NOT_ASSESSED")), (1, 1, 1), "{csv}");
    assert!(
        html.contains("data-pass=\"0\" data-fail=\"1\" data-error=\"1\" data-not-assessed=\"1\""),
        "the glance holds the CSV's numbers"
    );
    assert!(html.contains("<td class=\"id\">a.1</td>"), "the failing control is listed");
}

#[test]
fn still_failing_is_a_count_and_a_filter_not_300_rows() {
    let html = super::render(&report()).unwrap();
    let changes = &html[html.find("<section id=\"changes\"").unwrap()..];
    let changes = &changes[..changes.find("</section>").unwrap()];
    assert_eq!(changes.matches("<tr>").count(), 0, "{changes}");
    assert!(changes.contains("Still failing: 300"));
    assert!(changes.contains("data-filter=\"change=still-failing\""));
    assert_eq!(html.matches("data-change=\"still-failing\"").count(), 300, "the rows the filter shows");
}

#[test]
fn the_fleet_has_a_row_per_account_worst_first() {
    let html = super::render(&report()).unwrap();
    let fleet = &html[html.find("<section id=\"fleet\"").unwrap()..];
    let fleet = &fleet[..fleet.find("</section>").unwrap()];
    assert_eq!(fleet.matches("<tr data-account=").count(), 2);
    assert!(fleet.contains("<td class=\"num\">200</td><td class=\"num\">0</td>"), "200 critical FAILs: {fleet}");
    assert!(fleet.contains("<td class=\"num error-total\">100</td>"));
}
