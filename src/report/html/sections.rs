//! The report's smaller sections: the prioritised vulnerabilities and the
//! trends over the last scans.

use serde::Serialize;

use crate::model::Trend;

/// Trends shown per kind: the subjects with the most FAILs in the latest scan.
const TRENDS_SHOWN: usize = 20;
const SPARK_WIDTH: f64 = 120.0;
const SPARK_HEIGHT: f64 = 24.0;

/// One row of the trends table: a sparkline of FAILs over the last scans.
#[derive(Debug, Serialize)]
pub(super) struct TrendView<'a> {
    kind: &'a str,
    subject: &'a str,
    /// `x,y` pairs of the SVG polyline; gaps where a scan did not cover the subject.
    points: String,
    /// The counts in words, for screen readers and for the eye.
    values: String,
    latest: u64,
}

/// Images listed in the prioritised vulnerabilities; the JSON report has them all.
pub const VULNERABLE_IMAGES_SHOWN: usize = 25;

#[derive(Debug, Serialize)]
pub(super) struct VulnerabilitiesView<'a> {
    images: Vec<VulnerableImageView<'a>>,
    total: usize,
    hidden: usize,
}

#[derive(Debug, Serialize)]
struct VulnerableImageView<'a> {
    image: &'a crate::model::VulnerableImage,
    exposure: &'static str,
    /// `internet`, `unknown`, `internal`, `not-running`: the CSS class.
    exposure_class: &'static str,
}

impl<'a> VulnerabilitiesView<'a> {
    pub(super) fn of(images: &'a [crate::model::VulnerableImage]) -> VulnerabilitiesView<'a> {
        use crate::model::Exposure;
        let shown: Vec<VulnerableImageView<'a>> = images
            .iter()
            .take(VULNERABLE_IMAGES_SHOWN)
            .map(|image| {
                let (exposure, exposure_class) = match image.exposure {
                    Exposure::Internet => ("reachable from the internet", "internet"),
                    Exposure::Unknown => ("reachability unknown", "unknown"),
                    Exposure::Internal => ("running, internal", "internal"),
                    Exposure::NotRunning => ("not running", "not-running"),
                };
                VulnerableImageView { image, exposure, exposure_class }
            })
            .collect();
        VulnerabilitiesView { total: images.len(), hidden: images.len() - shown.len(), images: shown }
    }
}

pub(super) fn trend_views(trends: &[Trend]) -> Vec<TrendView<'_>> {
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
