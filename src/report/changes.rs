//! What changed between two scans, for people and programs: the text table
//! of `bulkhead diff`, its JSON, its HTML page, and the view the HTML
//! report's "Changes since" section shares with that page.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tera::{Context, Tera};

use crate::model::{ChangedFinding, Changes, ResourceRef, ScanInfo};
use crate::severity::Severity;

/// The version of `bulkhead diff --format json`; fields may be added.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// Rows per list on `bulkhead diff`'s HTML page; its text and JSON list
/// them all.
const DIFF_PAGE_ROWS_PER_LIST: usize = 200;

/// Rows per list in the report's "Changes since" section, so that it fits
/// on a screen or two whatever changed: the findings section shows the
/// rest, filtered to the change.
const REPORT_ROWS_PER_LIST: usize = 10;

pub(super) const PARTIAL: &str = include_str!("../../templates/changes.html");
const PAGE: &str = include_str!("../../templates/diff.html");

/// Where a finding's row is in the HTML report, by [`anchor_key`].
pub(super) type Anchors = HashMap<String, usize>;

/// A finding's identity as one string (NUL cannot occur in AWS's values).
pub(super) fn anchor_key(account_id: &str, region: &str, check_id: &str, resource_id: &str, arn: &str) -> String {
    [account_id, region, check_id, resource_id, arn].join("\u{0}")
}

/// The identities of the findings the HTML lists link to.
pub(super) fn linked_keys(changes: &Changes) -> HashSet<String> {
    lists(changes)
        .into_iter()
        .flat_map(|(_, _, entries)| entries.iter().take(REPORT_ROWS_PER_LIST))
        .map(|entry| {
            anchor_key(&entry.account_id, &entry.region, &entry.check_id, &entry.resource_id, &entry.resource_arn)
        })
        .collect()
}

/// What each finding of the report that changed since the base scan is,
/// by [`anchor_key`]: `new-fail`, `still-failing` or `new-error`, the
/// values of the findings' change filter.
pub(super) fn row_changes(changes: &Changes) -> HashMap<String, &'static str> {
    [("new-fail", &changes.new_failures), ("still-failing", &changes.still_failing), ("new-error", &changes.new_errors)]
        .into_iter()
        .flat_map(|(change, entries)| {
            entries.iter().map(move |entry| {
                let key = anchor_key(
                    &entry.account_id,
                    &entry.region,
                    &entry.check_id,
                    &entry.resource_id,
                    &entry.resource_arn,
                );
                (key, change)
            })
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub(super) struct ChangesView<'a> {
    base: &'a ScanInfo,
    new: &'a ScanInfo,
    /// In the report, with its findings to filter; else `bulkhead diff`'s page.
    in_report: bool,
    lists: Vec<ChangeList<'a>>,
    resources: Vec<ResourceList<'a>>,
    coverage: Vec<(&'static str, &'a [String])>,
}

#[derive(Debug, Serialize)]
struct ChangeList<'a> {
    id: &'static str,
    title: &'static str,
    total: usize,
    rows: Vec<ChangeRow<'a>>,
    hidden: usize,
    /// The findings filter that shows the whole list, in the report.
    filter: Option<&'static str>,
    /// Shown open; else folded under its title.
    open: bool,
    /// Only counted, with the filter that lists it (still failing, in the report).
    count_only: bool,
}

#[derive(Debug, Serialize)]
struct ChangeRow<'a> {
    /// `#f-N` when the finding's row is in the same page, else empty.
    link: String,
    severity: Severity,
    check_id: &'a str,
    account_id: &'a str,
    region: &'a str,
    resource_id: &'a str,
    resource_arn: &'a str,
    status: &'static str,
    muted: bool,
    message: &'a str,
    failing_since: Option<&'a str>,
    age_days: Option<i64>,
    resolution: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct ResourceList<'a> {
    id: &'static str,
    title: &'static str,
    total: usize,
    rows: Vec<&'a ResourceRef>,
    hidden: usize,
}

fn lists(changes: &Changes) -> [(&'static str, &'static str, &[ChangedFinding]); 5] {
    [
        ("new-fail", "New FAIL", &changes.new_failures),
        ("resolved-fail", "Resolved FAIL", &changes.resolved_failures),
        ("still-failing", "Still failing", &changes.still_failing),
        ("new-error", "New ERROR", &changes.new_errors),
        ("resolved-error", "Resolved ERROR", &changes.resolved_errors),
    ]
}

/// The changes as the report's section (`in_report`, linking to its
/// findings) or as `bulkhead diff`'s page.
pub(super) fn view<'a>(changes: &'a Changes, anchors: &Anchors, in_report: bool) -> ChangesView<'a> {
    let cap = if in_report { REPORT_ROWS_PER_LIST } else { DIFF_PAGE_ROWS_PER_LIST };
    let row = |entry: &'a ChangedFinding| {
        let key =
            anchor_key(&entry.account_id, &entry.region, &entry.check_id, &entry.resource_id, &entry.resource_arn);
        ChangeRow {
            link: anchors.get(&key).map(|index| format!("#f-{index}")).unwrap_or_default(),
            severity: entry.severity,
            check_id: &entry.check_id,
            account_id: &entry.account_id,
            region: &entry.region,
            resource_id: &entry.resource_id,
            resource_arn: &entry.resource_arn,
            status: entry.status.as_str(),
            muted: entry.muted,
            message: &entry.message,
            failing_since: entry.failing_since.as_deref().map(date),
            age_days: entry.age_days,
            resolution: entry.resolution.as_deref(),
        }
    };
    // New problems first and open; what got better folded; what stays the
    // same, in the report, a count and a filter.
    let lists = [
        ("new-fail", "New FAIL", &changes.new_failures, Some("change=new-fail"), true),
        ("new-error", "New ERROR", &changes.new_errors, Some("change=new-error"), true),
        ("resolved-fail", "Resolved FAIL", &changes.resolved_failures, None, false),
        ("resolved-error", "Resolved ERROR", &changes.resolved_errors, None, false),
        ("still-failing", "Still failing", &changes.still_failing, Some("change=still-failing"), false),
    ]
    .into_iter()
    .map(|(id, title, entries, filter, open)| {
        let count_only = in_report && id == "still-failing";
        let shown = if count_only { 0 } else { entries.len().min(cap) };
        let mut listed: Vec<&ChangedFinding> = entries.iter().collect();
        if in_report {
            // The report shows a few: the most severe (the order is stable).
            listed.sort_by_key(|entry| std::cmp::Reverse(entry.severity));
        }
        ChangeList {
            id,
            title,
            total: entries.len(),
            rows: listed.into_iter().take(shown).map(row).collect(),
            hidden: entries.len() - shown,
            filter: filter.filter(|_| in_report),
            open: open && !entries.is_empty(),
            count_only,
        }
    })
    .collect();
    ChangesView {
        base: &changes.base,
        new: &changes.new,
        in_report,
        lists,
        resources: [
            ("appeared", "Resources that appeared", &changes.resources_appeared),
            ("disappeared", "Resources that disappeared", &changes.resources_disappeared),
        ]
        .into_iter()
        .map(|(id, title, rows)| ResourceList {
            id,
            title,
            total: rows.len(),
            rows: rows.iter().take(cap).collect(),
            hidden: rows.len().saturating_sub(cap),
        })
        .collect(),
        coverage: coverage(changes),
    }
}

fn coverage(changes: &Changes) -> Vec<(&'static str, &[String])> {
    [
        ("Checks added (not compared)", changes.checks_added.as_slice()),
        ("Checks removed (not compared)", &changes.checks_removed),
        ("Accounts added (not compared)", &changes.accounts_added),
        ("Accounts removed (not compared)", &changes.accounts_removed),
        ("Regions added (not compared)", &changes.regions_added),
        ("Regions removed (not compared)", &changes.regions_removed),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .collect()
}

/// `2026-11-30` of `2026-11-30T10:00:00Z`.
pub(super) fn date(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}

pub fn json(changes: &Changes) -> String {
    super::write::to_string(|out| write_json(changes, out)).expect("the changes serialise")
}

/// The JSON of [`json`], written as it is serialised: the changes can be
/// many, and are not held a second time.
pub fn write_json(changes: &Changes, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Versioned<'a> {
        #[serde(flatten)]
        changes: &'a Changes,
        diff_schema_version: u32,
    }
    serde_json::to_writer_pretty(&mut *out, &Versioned { changes, diff_schema_version: DIFF_SCHEMA_VERSION })?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn html(changes: &Changes) -> anyhow::Result<String> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_templates([("changes.html", PARTIAL), ("diff.html", PAGE)])?;
    let mut context = Context::new();
    context.insert("changes", &view(changes, &Anchors::new(), false));
    context.insert("style", super::page::STYLE);
    context.insert("nonce", &super::page::nonce());
    context.insert("tool", &crate::model::Tool::this());
    Ok(tera.render("diff.html", &context)?)
}

/// The terminal's table. Text from AWS is printed with control characters
/// escaped, so a hostile resource name cannot drive the terminal.
pub fn text(changes: &Changes) -> String {
    let mut out = format!(
        "bulkhead diff: {} ({}) -> {} ({})\n",
        clean(&changes.base.label),
        changes.base.started_at,
        clean(&changes.new.label),
        changes.new.started_at
    );
    out.push_str(&format!(
        "  {} new FAIL, {} resolved FAIL, {} still failing, {} new ERROR, {} resolved ERROR, {} resource(s) appeared, {} disappeared\n",
        changes.new_failures.len(),
        changes.resolved_failures.len(),
        changes.still_failing.len(),
        changes.new_errors.len(),
        changes.resolved_errors.len(),
        changes.resources_appeared.len(),
        changes.resources_disappeared.len(),
    ));
    for (title, items) in coverage(changes) {
        out.push_str(&format!("  {title}: {}\n", items.iter().map(|item| clean(item)).collect::<Vec<_>>().join(", ")));
    }
    for (_, title, entries) in lists(changes) {
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({})\n", entries.len()));
        for entry in entries {
            let since = match (&entry.failing_since, entry.age_days) {
                (Some(since), Some(days)) => format!("  failing since {} ({days} days)", date(since)),
                _ => String::new(),
            };
            let resolution = entry.resolution.as_deref().map(|why| format!("  ({why})")).unwrap_or_default();
            let muted = if entry.muted { "  [muted]" } else { "" };
            out.push_str(&format!(
                "  {:13}  {}  {}  {}  {}{since}{resolution}{muted}\n      {}\n",
                entry.severity.as_str(),
                clean(&entry.check_id),
                clean(&entry.account_id),
                clean(&entry.region),
                clean(&entry.resource_id),
                clean(&entry.message),
            ));
        }
    }
    for (title, resources) in [
        ("Resources that appeared", &changes.resources_appeared),
        ("Resources that disappeared", &changes.resources_disappeared),
    ] {
        if resources.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({})\n", resources.len()));
        for resource in resources {
            out.push_str(&format!(
                "  {}  {}  {}\n",
                clean(&resource.account_id),
                clean(&resource.region),
                clean(&resource.resource_arn)
            ));
        }
    }
    out
}

fn clean(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::Status;

    fn changes() -> Changes {
        let evil = "<script>alert(1)</script>\u{1b}[31m";
        let entry = ChangedFinding {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
            check_id: "ecr_images_signed".into(),
            resource_id: evil.into(),
            resource_arn: evil.into(),
            severity: Severity::High,
            status: Status::Fail,
            muted: false,
            message: evil.into(),
            failing_since: Some("2026-11-01T00:00:00Z".into()),
            age_days: Some(3),
            resolution: None,
        };
        Changes { new_failures: vec![entry.clone()], still_failing: vec![entry], ..Changes::default() }
    }

    #[test]
    fn text_escapes_terminal_controls() {
        let text = text(&changes());
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("New FAIL (1)") && text.contains("failing since 2026-11-01 (3 days)"), "{text}");
    }

    #[test]
    fn html_escapes_and_json_is_versioned() {
        let page = html(&changes()).unwrap();
        assert!(!page.contains("<script>alert"), "hostile names are escaped");
        let value: serde_json::Value = serde_json::from_str(&json(&changes())).unwrap();
        assert_eq!(value["diff_schema_version"], 1);
        assert_eq!(value["new_failures"][0]["age_days"], 3);
    }
}
