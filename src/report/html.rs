//! The auditor's HTML report: one self-contained file (CSS and JS inline,
//! no fonts, no network), rendered with tera from the report model.
//!
//! Everything from AWS goes through tera's autoescaping (the template is
//! named `*.html`); `| safe` is used only on the report's own CSS and JS.
//! A Content-Security-Policy allows nothing but the one inline style and
//! script, by nonce, so even markup that slipped through could not run or
//! fetch anything.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};

use serde::Serialize;
use tera::{Context, Tera};

use super::changes::{Anchors, ChangesView, date};
use super::{CheckInfo, Report, ReportFinding, Trend};
use crate::severity::{Severity, Status};

const TEMPLATE: &str = include_str!("../../templates/report.html");
pub(super) const STYLE: &str = include_str!("../../templates/report.css");
const SCRIPT: &str = include_str!("../../templates/report.js");

const AREAS: [&str; 4] = ["application", "host", "network", "platform"];

pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_templates([("changes.html", super::changes::PARTIAL), ("report.html", TEMPLATE)])?;
    let view = View::new(report);
    let mut context = Context::from_serialize(&view)?;
    context.insert("style", STYLE);
    context.insert("script", SCRIPT);
    context.insert("nonce", &nonce());
    Ok(tera.render("report.html", &context)?)
}

/// A fresh value per report for the CSP nonce (not a secret against the
/// reader: it only has to be unguessable to data written before it).
pub(super) fn nonce() -> String {
    let mut value = String::new();
    for _ in 0..2 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
        );
        value.push_str(&format!("{:016x}", hasher.finish()));
    }
    value
}

#[derive(Debug, Serialize)]
struct View<'a> {
    tool: &'a super::Tool,
    scan: &'a super::ScanSummary,
    totals: Totals,
    fail_by_severity: Vec<Count>,
    fail_by_service: Vec<Count>,
    fail_by_region: Vec<Count>,
    fail_by_area: Vec<Count>,
    frameworks: Vec<FrameworkView<'a>>,
    groups: Vec<Group<'a>>,
    options: Options,
    changes: Option<ChangesView<'a>>,
    trends: Vec<TrendView<'a>>,
}

/// Trends shown per kind: the subjects with the most FAILs in the latest scan.
const TRENDS_SHOWN: usize = 20;
const SPARK_WIDTH: f64 = 120.0;
const SPARK_HEIGHT: f64 = 24.0;

/// One row of the trends table: a sparkline of FAILs over the last scans.
#[derive(Debug, Serialize)]
struct TrendView<'a> {
    kind: &'a str,
    subject: &'a str,
    /// `x,y` pairs of the SVG polyline; gaps where a scan did not cover the subject.
    points: String,
    /// The counts in words, for screen readers and for the eye.
    values: String,
    latest: u64,
}

#[derive(Debug, Default, Serialize)]
struct Totals {
    findings: usize,
    pass: usize,
    fail: usize,
    error: usize,
    muted: usize,
    /// PASS / (PASS + unmuted FAIL), in percent, one decimal.
    pass_rate: String,
}

#[derive(Debug, Serialize)]
struct Count {
    name: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct FrameworkView<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    controls: Vec<ControlView<'a>>,
}

#[derive(Debug, Serialize)]
struct ControlView<'a> {
    id: &'a str,
    title: &'a str,
    status: &'static str,
    checks: Vec<CheckStatus<'a>>,
}

#[derive(Debug, Serialize)]
struct CheckStatus<'a> {
    id: &'a str,
    status: &'static str,
    fail: usize,
    total: usize,
}

#[derive(Debug, Serialize)]
struct Group<'a> {
    id: &'a str,
    title: &'a str,
    service: &'a str,
    severity: Severity,
    severity_rank: u8,
    area: &'a str,
    check: Option<&'a CheckInfo>,
    frameworks: String,
    status: &'static str,
    pass: usize,
    fail: usize,
    error: usize,
    muted: usize,
    findings: Vec<Row<'a>>,
}

#[derive(Debug, Serialize)]
struct Row<'a> {
    status: &'static str,
    muted: bool,
    account_id: &'a str,
    region: &'a str,
    resource_id: &'a str,
    resource_arn: &'a str,
    resource_name: &'a str,
    resource_tags: &'a BTreeMap<String, String>,
    resource_details: &'a str,
    message: &'a str,
    /// Index of the finding in the report: the row's anchor `f-N`.
    anchor: usize,
    failing_since: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Options {
    statuses: Vec<&'static str>,
    severities: Vec<&'static str>,
    services: BTreeSet<String>,
    regions: BTreeSet<String>,
    accounts: BTreeSet<String>,
    frameworks: Vec<(String, String)>,
}

fn status_name(finding: &ReportFinding) -> &'static str {
    match (finding.muted, finding.status) {
        (true, _) => "MUTED",
        (false, status) => status.as_str(),
    }
}

fn counts(map: BTreeMap<String, usize>) -> Vec<Count> {
    let mut counts: Vec<Count> = map.into_iter().map(|(name, count)| Count { name, count }).collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    counts
}

impl<'a> View<'a> {
    fn new(report: &'a Report) -> View<'a> {
        let mut totals = Totals { findings: report.findings.len(), ..Totals::default() };
        let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
        let mut by_service = BTreeMap::new();
        let mut by_region = BTreeMap::new();
        let mut by_area: BTreeMap<String, usize> = AREAS.iter().map(|area| ((*area).to_owned(), 0)).collect();
        let mut options = Options {
            statuses: vec!["FAIL", "ERROR", "PASS", "MUTED"],
            severities: Severity::ALL.iter().rev().map(|severity| severity.as_str()).collect(),
            services: BTreeSet::new(),
            regions: BTreeSet::new(),
            accounts: BTreeSet::new(),
            frameworks: report.frameworks.iter().map(|f| (f.id.clone(), format!("{} {}", f.name, f.version))).collect(),
        };
        let mut groups: BTreeMap<&str, Group<'a>> = BTreeMap::new();
        for id in &report.scan.checks {
            groups.insert(id, group(report, id));
        }
        let mut anchors: Anchors<'_> = Anchors::new();
        for (anchor, finding) in report.findings.iter().enumerate() {
            anchors.insert(
                (&finding.account_id, &finding.region, &finding.check_id, &finding.resource_id, &finding.resource_arn),
                anchor,
            );
            let failing = finding.status == Status::Fail && !finding.muted;
            match (finding.muted, finding.status) {
                (true, _) => totals.muted += 1,
                (false, Status::Pass) => totals.pass += 1,
                (false, Status::Fail) => totals.fail += 1,
                (false, Status::Error) => totals.error += 1,
            }
            let area = report.check(&finding.check_id).map(|c| c.shared_responsibility.clone()).unwrap_or_default();
            if failing {
                *by_severity.entry(finding.severity).or_default() += 1;
                *by_service.entry(finding.service.clone()).or_default() += 1;
                *by_region.entry(finding.region.clone()).or_default() += 1;
                *by_area.entry(area).or_default() += 1;
            }
            options.services.insert(finding.service.clone());
            options.regions.insert(finding.region.clone());
            options.accounts.insert(finding.account_id.clone());
            let group = groups.entry(&finding.check_id).or_insert_with(|| group(report, &finding.check_id));
            match (finding.muted, finding.status) {
                (true, _) => group.muted += 1,
                (false, Status::Pass) => group.pass += 1,
                (false, Status::Fail) => group.fail += 1,
                (false, Status::Error) => group.error += 1,
            }
            group.findings.push(Row {
                status: status_name(finding),
                muted: finding.muted,
                account_id: &finding.account_id,
                region: &finding.region,
                resource_id: &finding.resource_id,
                resource_arn: &finding.resource_arn,
                resource_name: &finding.resource_name,
                resource_tags: &finding.resource_tags,
                resource_details: &finding.resource_details,
                message: &finding.message,
                anchor,
                failing_since: finding.failing_since.as_deref().map(date),
            });
        }
        let judged = totals.pass + totals.fail;
        totals.pass_rate =
            if judged == 0 { "n/a".to_owned() } else { format!("{:.1}%", totals.pass as f64 * 100.0 / judged as f64) };

        let mut groups: Vec<Group<'a>> = groups.into_values().collect();
        for group in &mut groups {
            group.status = verdict(group.fail, group.error, group.pass + group.fail + group.error + group.muted);
            // Failing rows first, then errors, so the open group shows what matters.
            group.findings.sort_by_key(|row| match row.status {
                "FAIL" => 0,
                "ERROR" => 1,
                "MUTED" => 2,
                _ => 3,
            });
        }
        groups.sort_by(|a, b| {
            (b.fail > 0)
                .cmp(&(a.fail > 0))
                .then(b.severity.cmp(&a.severity))
                .then(b.fail.cmp(&a.fail))
                .then(a.id.cmp(b.id))
        });

        let frameworks = report
            .frameworks
            .iter()
            .map(|framework| FrameworkView {
                id: &framework.id,
                name: &framework.name,
                version: &framework.version,
                controls: framework
                    .controls
                    .iter()
                    .map(|control| {
                        let checks: Vec<CheckStatus<'a>> = control
                            .checks
                            .iter()
                            .map(|id| match groups.iter().find(|group| group.id == id) {
                                Some(group) => CheckStatus {
                                    id,
                                    status: group.status,
                                    fail: group.fail,
                                    total: group.findings.len(),
                                },
                                None => CheckStatus { id, status: "NOT RUN", fail: 0, total: 0 },
                            })
                            .collect();
                        let status = if checks.iter().any(|c| c.status == "FAIL") {
                            "FAIL"
                        } else if checks.iter().any(|c| c.status == "ERROR") {
                            "ERROR"
                        } else if checks.iter().any(|c| c.status == "PASS") {
                            "PASS"
                        } else {
                            "NOT RUN"
                        };
                        ControlView { id: &control.id, title: &control.title, status, checks }
                    })
                    .collect(),
            })
            .collect();

        View {
            tool: &report.tool,
            scan: &report.scan,
            totals,
            fail_by_severity: Severity::ALL
                .iter()
                .rev()
                .map(|s| Count { name: s.as_str().to_owned(), count: by_severity.get(s).copied().unwrap_or(0) })
                .collect(),
            fail_by_service: counts(by_service),
            fail_by_region: counts(by_region),
            fail_by_area: by_area.into_iter().map(|(name, count)| Count { name, count }).collect(),
            frameworks,
            groups,
            options,
            changes: report
                .history
                .as_ref()
                .and_then(|history| history.changes.as_ref())
                .map(|changes| super::changes::view(changes, &anchors)),
            trends: report.history.as_ref().map(|history| trend_views(&history.trends)).unwrap_or_default(),
        }
    }
}

fn trend_views(trends: &[Trend]) -> Vec<TrendView<'_>> {
    let mut views = Vec::new();
    for kind in ["check", "account"] {
        let mut of_kind: Vec<TrendView<'_>> =
            trends.iter().filter(|trend| trend.kind == kind && trend.points.len() > 1).map(trend_view).collect();
        of_kind.sort_by(|a, b| b.latest.cmp(&a.latest).then_with(|| a.subject.cmp(b.subject)));
        views.extend(of_kind.into_iter().take(TRENDS_SHOWN));
    }
    views
}

fn trend_view(trend: &Trend) -> TrendView<'_> {
    let max = trend.points.iter().filter_map(|point| point.fail).max().unwrap_or(0).max(1) as f64;
    let step = SPARK_WIDTH / (trend.points.len().saturating_sub(1).max(1)) as f64;
    let points: Vec<String> = trend
        .points
        .iter()
        .enumerate()
        .filter_map(|(index, point)| {
            let fail = point.fail? as f64;
            let y = SPARK_HEIGHT - 2.0 - fail / max * (SPARK_HEIGHT - 4.0);
            Some(format!("{:.1},{:.1}", index as f64 * step, y))
        })
        .collect();
    let values: Vec<String> =
        trend.points.iter().map(|point| point.fail.map_or("not scanned".to_owned(), |fail| fail.to_string())).collect();
    TrendView {
        kind: &trend.kind,
        subject: &trend.subject,
        points: points.join(" "),
        values: values.join(", "),
        latest: trend.points.last().and_then(|point| point.fail).unwrap_or(0),
    }
}

fn verdict(fail: usize, error: usize, total: usize) -> &'static str {
    if fail > 0 {
        "FAIL"
    } else if error > 0 {
        "ERROR"
    } else if total > 0 {
        "PASS"
    } else {
        "NO RESOURCES"
    }
}

fn group<'a>(report: &'a Report, id: &'a str) -> Group<'a> {
    let check = report.check(id);
    let severity = check.map(|c| c.severity).unwrap_or(Severity::Informational);
    let frameworks: Vec<&str> = report
        .frameworks
        .iter()
        .filter(|framework| framework.controls.iter().any(|control| control.checks.iter().any(|c| c == id)))
        .map(|framework| framework.id.as_str())
        .collect();
    Group {
        id,
        title: check.map(|c| c.title.as_str()).unwrap_or(id),
        service: check.map(|c| c.service.as_str()).unwrap_or(""),
        severity,
        severity_rank: severity as u8,
        area: check.map(|c| c.shared_responsibility.as_str()).unwrap_or(""),
        check,
        frameworks: frameworks.join(" "),
        status: "PASS",
        pass: 0,
        fail: 0,
        error: 0,
        muted: 0,
        findings: Vec::new(),
    }
}
