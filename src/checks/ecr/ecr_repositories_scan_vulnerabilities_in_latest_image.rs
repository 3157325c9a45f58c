//! The latest image of each repository was scanned and has no finding at or
//! above `min_vulnerability_severity` (default high).

use std::str::FromStr;

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecr::{ImageScan, Repository, ScanResult};
use crate::severity::Severity;

pub const CHECK: Check = Check {
    id: "ecr_repositories_scan_vulnerabilities_in_latest_image",
    scope: Scope::LatestImageScans(judge),
    reads: &[],
};

fn judge(ctx: &Context<'_>, repository: &Repository, scan: &ImageScan) -> Verdict {
    let threshold = ctx.config.min_vulnerability_severity;
    let tags = if scan.tags.is_empty() { "untagged".to_owned() } else { format!("tags: {}", scan.tags.join(", ")) };
    let subject = format!("The latest image of repository {} ({}, {tags})", repository.name, scan.digest);
    let Some(result) = &scan.result else {
        return fail(format!("{subject} has never been scanned for vulnerabilities."));
    };
    if let Some(status) = result.status.as_deref().filter(|status| !matches!(*status, "COMPLETE" | "ACTIVE")) {
        return fail(format!("{subject} has no completed scan (scan status {status})."));
    }
    let over = at_or_above(result, threshold);
    if over.is_empty() {
        pass(format!("{subject} was scanned and has no finding of severity {threshold} or above."))
    } else {
        let counts: Vec<String> = over.iter().map(|(severity, count)| format!("{count} {severity}")).collect();
        fail(format!("{subject} has vulnerabilities of severity {threshold} or above: {}.", counts.join(", ")))
    }
}

/// `(severity, count)` for each counted severity at or above `threshold`,
/// most severe first. ECR's UNDEFINED and UNTRIAGED are not severities.
fn at_or_above(result: &ScanResult, threshold: Severity) -> Vec<(Severity, i32)> {
    let mut over: Vec<(Severity, i32)> = result
        .severity_counts
        .iter()
        .filter_map(|(name, count)| Severity::from_str(name).ok().map(|severity| (severity, *count)))
        .filter(|(severity, count)| *severity >= threshold && *count > 0)
        .collect();
    over.sort_by_key(|(severity, _)| std::cmp::Reverse(*severity));
    over
}
