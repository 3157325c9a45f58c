//! What the terminal shows: a progress bar while a scan runs (only on a
//! TTY, never with `--quiet`), the compact summary at the end, and the
//! table of AWS calls `--stats` asks for.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};

use crate::model::{CallStats, Report};
use crate::outcome::Outcome;
use crate::severity::Severity;

#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    checks: usize,
}

impl Progress {
    /// Regions are the unit of collection progress (every selected service
    /// of a region collected); checks follow.
    pub fn start(quiet: bool, regions: usize, checks: usize) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None, checks };
        }
        // Dropped unfinished (a signal stops the scan), the bar clears its line.
        let bar = ProgressBar::new(regions as u64).with_finish(ProgressFinish::AndClear);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} regions {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix("collecting");
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar), checks }
    }

    pub fn region_done(&self, region: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("{region} done"));
        }
    }

    pub fn collected(&self) {
        if let Some(bar) = &self.bar {
            bar.set_prefix("evaluating");
            bar.set_message(format!("{} checks", self.checks));
        }
    }

    pub fn evaluated(&self) {
        if let Some(bar) = &self.bar {
            bar.set_prefix("writing");
            bar.set_message(format!("{} checks evaluated", self.checks));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The end-of-scan summary: totals, a table of unmuted FAILs by severity
/// and service, collection errors, and where the reports went.
pub fn summary(report: &Report, written: &[String], fail_on: Severity, outcome: Outcome) -> String {
    let total = &report.tally.total;
    // Unmuted FAILs by service, then by severity (informational first).
    let mut table: BTreeMap<&str, [u64; 5]> = BTreeMap::new();
    for (check_id, counts) in report.tally.by_check.iter().filter(|(_, counts)| counts.fail > 0) {
        let (service, severity) = report
            .check(check_id)
            .map_or(("", Severity::Informational), |check| (check.service.as_str(), check.severity));
        table.entry(service).or_default()[severity as usize] += counts.fail;
    }
    let mut text = format!(
        "bulkhead: {} checks over {} account(s) and {} region(s): {} PASS, {} FAIL, {} ERROR, {} muted",
        report.scan.checks.len(),
        report.scan.accounts.len(),
        report.scan.regions.len(),
        total.pass,
        total.fail,
        total.error,
        total.muted(),
    );
    if let Some(mutelist) = &report.scan.mutelist {
        for expired in &mutelist.expired {
            text.push_str(&format!(
                "\n  mutelist entry {} / {} expired on {}: it muted nothing",
                expired.account, expired.check, expired.expires
            ));
        }
    }

    if !table.is_empty() {
        let width = table.keys().map(|service| service.len()).max().unwrap_or(0).max("service".len());
        text.push_str("\n\n  unmuted FAIL by service and severity:");
        text.push_str(&format!("\n  {:width$}  critical  high  medium  low  info  total", "service"));
        let mut totals = [0u64; 5];
        for (service, counts) in &table {
            text.push_str(&row(service, counts, width));
            for (total, n) in totals.iter_mut().zip(counts) {
                *total += n;
            }
        }
        text.push_str(&row("all", &totals, width));
        text.push('\n');
    }

    if !report.scan.errors.is_empty() {
        text.push_str(&format!(
            "\n  {} AWS call(s) failed; the affected checks report ERROR:",
            report.scan.errors.len()
        ));
        for err in report.scan.errors.iter().take(10) {
            text.push_str(&format!(
                "\n  - {} {}:{} ({}): {}",
                err.region, err.service, err.operation, err.kind, err.message
            ));
        }
        if report.scan.errors.len() > 10 {
            text.push_str(&format!("\n  - ... and {} more (see the report)", report.scan.errors.len() - 10));
        }
    }
    text.push_str(&not_offered(report));
    for path in written {
        text.push_str(&format!("\n  report: {path}"));
    }
    let verdict = match outcome {
        Outcome::Passed => format!("passed (no unmuted FAIL at or above {fail_on})"),
        Outcome::Failed => format!("failed: unmuted FAIL at or above {fail_on}"),
        Outcome::Incomplete => "incomplete: some data could not be collected (--allow-errors to pass)".to_owned(),
    };
    text.push_str(&format!("\n  result: {verdict} (exit {})", outcome.exit_code()));
    text
}

/// One line per feature some region does not offer: where, and how the
/// checks judged without it.
fn not_offered(report: &Report) -> String {
    let mut regions: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for off in &report.scan.unavailable_features {
        regions.entry((&off.feature, &off.consequence)).or_default().insert(&off.region);
    }
    let lines = regions.into_iter().map(|((feature, consequence), regions)| {
        let regions: Vec<&str> = regions.into_iter().collect();
        format!("\n  {feature} is not offered in {}: {consequence}", regions.join(", "))
    });
    lines.collect()
}

fn row(name: &str, counts: &[u64; 5], width: usize) -> String {
    let [info, low, medium, high, critical] = *counts;
    format!(
        "\n  {name:width$}  {critical:>8}  {high:>4}  {medium:>6}  {low:>3}  {info:>4}  {:>5}",
        counts.iter().sum::<u64>()
    )
}

/// The `--stats` table: AWS calls per service and operation, summed over
/// regions (the JSON report has them per region).
pub fn call_stats(stats: &CallStats) -> String {
    #[derive(Default)]
    struct Row<'a> {
        regions: BTreeSet<&'a str>,
        calls: u64,
        retries: u64,
        throttles: u64,
    }
    let mut rows: BTreeMap<(&str, &str), Row> = BTreeMap::new();
    for op in &stats.operations {
        let row = rows.entry((&op.service, &op.operation)).or_default();
        row.regions.insert(&op.region);
        row.calls += op.calls;
        row.retries += op.retries;
        row.throttles += op.throttles;
    }
    let mut text = format!(
        "bulkhead: {} AWS calls, {} attempts ({} retries, {} throttled); critical path {} calls deep",
        stats.calls, stats.attempts, stats.retries, stats.throttles, stats.critical_path_depth
    );
    let width = rows.keys().map(|(_, operation)| operation.len()).max().unwrap_or(0).max("operation".len());
    text.push_str(&format!("\n  service     {:width$}  regions   calls  retries  throttles", "operation"));
    for ((service, operation), row) in &rows {
        text.push_str(&format!(
            "\n  {service:10}  {operation:width$}  {:>7}  {:>6}  {:>7}  {:>9}",
            row.regions.len(),
            row.calls,
            row.retries,
            row.throttles
        ));
    }
    text
}

/// What the summary says about the baseline: how many FAILs were there already.
pub fn baseline_note(baseline: &crate::history::ScanHeader, already_failing: usize, gate_on_new: bool) -> String {
    let gate = if gate_on_new { "; --fail-on-new counts only the others" } else { "" };
    format!(
        "  {already_failing} unmuted FAIL(s) were already failing in the baseline ({}, {}){gate}",
        baseline.label, baseline.started_at
    )
}
