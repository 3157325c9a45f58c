//! The compliance section: each framework's controls counted by status at a
//! glance, and its failing controls, worst first. The statuses come from
//! [`crate::report::compliance`], the computation the compliance CSVs use.

use serde::Serialize;

use super::Group;
use crate::model::Report;
use crate::report::compliance::{self, ControlStatus, FrameworkStatus};
use crate::severity::Severity;

/// Failing controls listed per framework before the rest are folded.
const FAILING_SHOWN: usize = 10;

#[derive(Debug, Serialize)]
pub(super) struct FrameworkView<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    glance: Glance,
    /// The controls with a FAIL, worst severity first: the first
    /// [`FAILING_SHOWN`], then (if any) the others, folded.
    failing: Vec<Vec<FailingControl<'a>>>,
    controls: Vec<ControlView<'a>>,
}

/// The controls by status, and the segments of their bar (SVG user units
/// out of 100: the CSP allows no inline style to size them with).
#[derive(Debug, Serialize)]
struct Glance {
    controls: usize,
    pass: usize,
    fail: usize,
    error: usize,
    not_assessed: usize,
    segments: Vec<Segment>,
}

#[derive(Debug, Serialize)]
struct Segment {
    class: &'static str,
    x: String,
    width: String,
}

#[derive(Debug, Serialize)]
struct FailingControl<'a> {
    id: &'a str,
    title: &'a str,
    fail: u64,
    accounts: usize,
    severity: Option<Severity>,
    /// The checks failing it: the findings link shows these, FAIL only.
    checks: Vec<&'a str>,
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
    fail: u64,
    total: u64,
}

pub(super) fn views<'a>(report: &'a Report, groups: &[Group<'a>]) -> Vec<FrameworkView<'a>> {
    report
        .frameworks
        .iter()
        .map(|framework| {
            let controls = compliance::controls(report, framework);
            let mut failing: Vec<FailingControl<'a>> =
                controls.iter().filter(|c| c.status == "FAIL").map(failing_control).collect();
            failing.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.fail.cmp(&a.fail)));
            let more = failing.split_off(failing.len().min(FAILING_SHOWN));
            let failing = match (failing.is_empty(), more.is_empty()) {
                (true, _) => Vec::new(),
                (false, true) => vec![failing],
                (false, false) => vec![failing, more],
            };
            FrameworkView {
                id: &framework.id,
                name: &framework.name,
                version: &framework.version,
                glance: glance(FrameworkStatus::of(&controls)),
                failing,
                controls: controls.iter().map(|control| control_view(control, groups)).collect(),
            }
        })
        .collect()
}

fn glance(status: FrameworkStatus) -> Glance {
    let total = status.controls().max(1) as f64;
    let mut x = 0.0;
    let mut segments = Vec::new();
    for (class, count) in
        [("fail", status.fail), ("error", status.error), ("pass", status.pass), ("not-assessed", status.not_assessed)]
    {
        if count == 0 {
            continue;
        }
        let width = count as f64 * 100.0 / total;
        segments.push(Segment { class, x: format!("{x:.2}"), width: format!("{width:.2}") });
        x += width;
    }
    Glance {
        controls: status.controls(),
        pass: status.pass,
        fail: status.fail,
        error: status.error,
        not_assessed: status.not_assessed,
        segments,
    }
}

fn failing_control<'a>(control: &ControlStatus<'a>) -> FailingControl<'a> {
    FailingControl {
        id: &control.control.id,
        title: &control.control.title,
        fail: control.counts.fail,
        accounts: control.accounts.len(),
        severity: control.worst_severity,
        checks: control.failing_checks.clone(),
    }
}

fn control_view<'a>(control: &ControlStatus<'a>, groups: &[Group<'a>]) -> ControlView<'a> {
    let checks = control
        .control
        .checks
        .iter()
        .map(|id| match groups.iter().find(|group| group.id == *id) {
            Some(group) => CheckStatus { id, status: group.status, fail: group.fail, total: group.total },
            None => CheckStatus { id, status: "NOT RUN", fail: 0, total: 0 },
        })
        .collect();
    ControlView { id: &control.control.id, title: &control.control.title, status: control.status, checks }
}
