//! The auditor's HTML report: one self-contained file (CSS and JS inline,
//! no fonts, no network), rendered with tera from the report model.
//!
//! Everything from AWS goes through tera's autoescaping (the template is
//! named `*.html`); `| safe` is used only on the report's own CSS and JS.
//! A Content-Security-Policy allows nothing but the one inline style and
//! script, by nonce, so even markup that slipped through could not run or
//! fetch anything.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use tera::{Context, Tera};

use super::changes::{Anchors, ChangesView, anchor_key, date};
use super::page::{STYLE, nonce};
use crate::model::{CheckInfo, Report, ReportFinding, StatusCounts};
use crate::severity::Severity;

mod compliance;
mod fleet;
mod sections;
#[cfg(test)]
mod tests;

use sections::{TrendView, VulnerabilitiesView, trend_views};

const TEMPLATE: &str = include_str!("../../../templates/report.html");
const SCRIPT: &str = include_str!("../../../templates/report.js");
const ROWS: &str = include_str!("../../../templates/rows.html");

const AREAS: [&str; 4] = ["application", "host", "network", "platform"];

pub fn render(report: &Report) -> anyhow::Result<String> {
    crate::report::write::to_string(|out| write(report, out))
}

/// Renders the page without its finding rows, each group's rows replaced
/// by a marker, then writes it with each group's rows rendered in chunks
/// in its marker's place: the page is never whole in memory. The markers
/// are HTML comments holding the nonce, which nothing escaped from AWS
/// can produce.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_templates([
        ("changes.html", super::changes::PARTIAL),
        ("report.html", TEMPLATE),
        ("rows.html", ROWS),
    ])?;
    let view = View::new(report)?;
    let nonce = nonce();
    let mut context = Context::from_serialize(&view)?;
    context.insert("style", STYLE);
    context.insert("script", SCRIPT);
    context.insert("nonce", &nonce);
    let page = tera.render("report.html", &context)?;
    let changed = report
        .history
        .as_ref()
        .and_then(|history| history.changes.as_ref())
        .map(super::changes::row_changes)
        .unwrap_or_default();
    let mut rest = page.as_str();
    for (index, group) in view.groups.iter().enumerate() {
        let marker = format!("<!--rows-{nonce}-{index}-->");
        let Some((before, after)) = rest.split_once(&marker) else {
            anyhow::bail!("the report template lost the rows of {}", group.id);
        };
        out.write_all(before.as_bytes())?;
        write_rows(&tera, report, group, &changed, out)?;
        rest = after;
    }
    out.write_all(rest.as_bytes())?;
    Ok(())
}

/// Rows rendered per template call.
const ROWS_PER_CHUNK: usize = 500;

/// PASS rows shown per check; the rest are counted, and every one is in
/// the JSON and CSV reports. FAIL, ERROR and muted rows are all shown. A
/// fleet's page stays one that a browser opens.
pub const PASS_ROWS_PER_CHECK: usize = 2000;

/// A group's rows: FAIL first, then ERROR, muted and PASS, so the open group
/// shows what matters. `changed` says which findings changed since the scan
/// compared with (see [`super::changes::row_changes`]).
fn write_rows(
    tera: &Tera,
    report: &Report,
    group: &Group<'_>,
    changed: &HashMap<String, &'static str>,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let mut chunk: Vec<(usize, ReportFinding)> = Vec::with_capacity(ROWS_PER_CHUNK);
    let change_of = |finding: &ReportFinding| {
        if changed.is_empty() {
            return None;
        }
        let key = anchor_key(
            &finding.account_id,
            &finding.region,
            &finding.check_id,
            &finding.resource_id,
            &finding.resource_arn,
        );
        changed.get(&key).copied()
    };
    let flush = |chunk: &mut Vec<(usize, ReportFinding)>, out: &mut dyn std::io::Write| -> anyhow::Result<()> {
        let rows: Vec<Row<'_>> =
            chunk.iter().map(|(anchor, finding)| Row::of(*anchor, finding, change_of(finding))).collect();
        let mut context = Context::new();
        context.insert("rows", &rows);
        tera.render_to("rows.html", &context, &mut *out)?;
        chunk.clear();
        Ok(())
    };
    for wanted in ["FAIL", "ERROR", "MUTED", "PASS"] {
        let mut shown = 0;
        report.findings.each_of_check(&group.id, |anchor, finding| {
            if status_name(finding) != wanted || (wanted == "PASS" && shown == PASS_ROWS_PER_CHECK) {
                return Ok(());
            }
            shown += 1;
            chunk.push((anchor, finding.clone()));
            if chunk.len() == ROWS_PER_CHUNK {
                flush(&mut chunk, out)?;
            }
            Ok(())
        })?;
    }
    flush(&mut chunk, out)
}

#[derive(Debug, Serialize)]
struct View<'a> {
    tool: &'a crate::model::Tool,
    scan: &'a crate::model::ScanSummary,
    totals: Totals,
    fail_by_severity: Vec<Count>,
    fail_by_service: Vec<Count>,
    fail_by_region: Vec<Count>,
    fail_by_area: Vec<Count>,
    frameworks: Vec<compliance::FrameworkView<'a>>,
    fleet: Option<fleet::FleetView<'a>>,
    groups: Vec<Group<'a>>,
    options: Options,
    changes: Option<ChangesView<'a>>,
    trends: Vec<TrendView<'a>>,
    vulnerabilities: Option<VulnerabilitiesView<'a>>,
}

#[derive(Debug, Default, Serialize)]
struct Totals {
    findings: u64,
    pass: u64,
    fail: u64,
    error: u64,
    muted: u64,
    /// PASS / (PASS + unmuted FAIL), in percent, one decimal.
    pass_rate: String,
}

#[derive(Debug, Serialize)]
struct Count {
    name: String,
    count: u64,
}

#[derive(Debug, Serialize)]
pub(super) struct Group<'a> {
    id: String,
    title: String,
    service: &'a str,
    severity: Severity,
    severity_rank: u8,
    area: &'a str,
    check: Option<&'a CheckInfo>,
    frameworks: String,
    status: &'static str,
    pass: u64,
    fail: u64,
    error: u64,
    muted: u64,
    /// Findings of the check, shown or not.
    total: u64,
    /// PASS rows beyond [`PASS_ROWS_PER_CHECK`], counted only.
    pass_hidden: u64,
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
    /// `new-fail`, `still-failing` or `new-error` since the scan compared with.
    change: Option<&'static str>,
}

impl<'a> Row<'a> {
    fn of(anchor: usize, finding: &'a ReportFinding, change: Option<&'static str>) -> Row<'a> {
        Row {
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
            change,
        }
    }
}

#[derive(Debug, Serialize)]
struct Options {
    statuses: Vec<&'static str>,
    severities: Vec<&'static str>,
    services: BTreeSet<String>,
    regions: BTreeSet<String>,
    accounts: BTreeSet<String>,
    frameworks: Vec<(String, String)>,
    /// Whether the report compares with an earlier scan: the change filter.
    changes: bool,
}

fn status_name(finding: &ReportFinding) -> &'static str {
    match (finding.muted, finding.status) {
        (true, _) => "MUTED",
        (false, status) => status.as_str(),
    }
}

fn counts(map: BTreeMap<String, u64>) -> Vec<Count> {
    let mut counts: Vec<Count> = map.into_iter().map(|(name, count)| Count { name, count }).collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    counts
}

impl<'a> View<'a> {
    fn new(report: &'a Report) -> anyhow::Result<View<'a>> {
        let groups = groups(report);
        let mut by_severity: BTreeMap<Severity, u64> = BTreeMap::new();
        let mut by_service = BTreeMap::new();
        let mut by_area: BTreeMap<String, u64> = AREAS.iter().map(|area| ((*area).to_owned(), 0)).collect();
        for group in groups.iter().filter(|group| group.fail > 0) {
            *by_severity.entry(group.severity).or_default() += group.fail;
            *by_service.entry(group.service.to_owned()).or_default() += group.fail;
            *by_area.entry(group.area.to_owned()).or_default() += group.fail;
        }
        let tally = &report.tally;
        let by_region = tally
            .by_region
            .iter()
            .filter(|(_, counts)| counts.fail > 0)
            .map(|(region, counts)| (region.clone(), counts.fail))
            .collect();
        let options = Options {
            statuses: vec!["FAIL", "ERROR", "PASS", "MUTED"],
            severities: Severity::ALL.iter().rev().map(|severity| severity.as_str()).collect(),
            services: groups.iter().filter(|group| group.total > 0).map(|group| group.service.to_owned()).collect(),
            regions: tally.by_region.keys().cloned().collect(),
            accounts: tally.by_account.keys().cloned().collect(),
            frameworks: report.frameworks.iter().map(|f| (f.id.clone(), format!("{} {}", f.name, f.version))).collect(),
            changes: report.history.as_ref().is_some_and(|history| history.changes.is_some()),
        };
        let changes = report.history.as_ref().and_then(|history| history.changes.as_ref());
        let anchors = match changes {
            Some(changes) => anchors_of(report, &super::changes::linked_keys(changes))?,
            None => Anchors::new(),
        };
        Ok(View {
            tool: &report.tool,
            scan: &report.scan,
            totals: Totals::of(&tally.total),
            fail_by_severity: Severity::ALL
                .iter()
                .rev()
                .map(|s| Count { name: s.as_str().to_owned(), count: by_severity.get(s).copied().unwrap_or(0) })
                .collect(),
            fail_by_service: counts(by_service),
            fail_by_region: counts(by_region),
            fail_by_area: by_area.into_iter().map(|(name, count)| Count { name, count }).collect(),
            frameworks: compliance::views(report, &groups),
            fleet: fleet::view(report),
            groups,
            options,
            changes: changes.map(|changes| super::changes::view(changes, &anchors, true)),
            trends: report.history.as_ref().map(|history| trend_views(&history.trends)).unwrap_or_default(),
            vulnerabilities: report.vulnerabilities.as_deref().map(VulnerabilitiesView::of),
        })
    }
}

impl Totals {
    fn of(total: &StatusCounts) -> Totals {
        let judged = total.pass + total.fail;
        Totals {
            findings: total.findings(),
            pass: total.pass,
            fail: total.fail,
            error: total.error,
            muted: total.muted(),
            pass_rate: if judged == 0 {
                "n/a".to_owned()
            } else {
                format!("{:.1}%", total.pass as f64 * 100.0 / judged as f64)
            },
        }
    }
}

/// One group per check the scan ran or that has findings, with its counts;
/// failing groups first, worst first.
fn groups(report: &Report) -> Vec<Group<'_>> {
    let ids: BTreeSet<&str> =
        report.scan.checks.iter().chain(report.tally.by_check.keys()).map(String::as_str).collect();
    let mut groups: Vec<Group<'_>> = ids
        .into_iter()
        .map(|id| {
            let counts = report.tally.check(id);
            let mut group = group(report, id);
            (group.pass, group.fail, group.error, group.muted) =
                (counts.pass, counts.fail, counts.error, counts.muted());
            group.total = counts.findings();
            group.status = verdict(group.fail, group.error, group.total);
            group.pass_hidden = group.pass.saturating_sub(PASS_ROWS_PER_CHECK as u64);
            group
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.fail > 0)
            .cmp(&(a.fail > 0))
            .then(b.severity.cmp(&a.severity))
            .then(b.fail.cmp(&a.fail))
            .then(a.id.cmp(&b.id))
    });
    groups
}

/// Each finding the changes section links to, by its key.
fn anchors_of(report: &Report, wanted: &std::collections::HashSet<String>) -> anyhow::Result<Anchors> {
    let mut anchors = Anchors::new();
    if wanted.is_empty() {
        return Ok(anchors);
    }
    report.findings.each(|anchor, finding| {
        let key = anchor_key(
            &finding.account_id,
            &finding.region,
            &finding.check_id,
            &finding.resource_id,
            &finding.resource_arn,
        );
        if wanted.contains(&key) {
            anchors.insert(key, anchor);
        }
        Ok(())
    })?;
    Ok(anchors)
}

fn verdict(fail: u64, error: u64, total: u64) -> &'static str {
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

fn group<'a>(report: &'a Report, id: &str) -> Group<'a> {
    let check = report.check(id);
    let severity = check.map(|c| c.severity).unwrap_or(Severity::Informational);
    let frameworks: Vec<&str> = report
        .frameworks
        .iter()
        .filter(|framework| framework.controls.iter().any(|control| control.checks.iter().any(|c| c == id)))
        .map(|framework| framework.id.as_str())
        .collect();
    Group {
        id: id.to_owned(),
        title: check.map_or(id, |c| c.title.as_str()).to_owned(),
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
        total: 0,
        pass_hidden: 0,
    }
}
