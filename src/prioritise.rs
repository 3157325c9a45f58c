//! The report's `vulnerabilities` entries for one account: each image in
//! use with its scan findings, how it runs and what reaches it
//! ([`crate::rules::reachability`]), and the reasons it ranks where it does
//! ([`VulnerableImage::rank_all`] orders them across accounts). Pure.

use std::collections::BTreeMap;

use crate::inventory::image_configs::RegistryImage;
use crate::inventory::image_vulnerabilities::{Coverage, Vulnerability};
use crate::inventory::{AccountInventory, Collected};
use crate::model::{Exposure, VulnerabilityInfo, VulnerableImage};
use crate::rules::reachability::{Runs, describe, has_exploit, has_fix, most_severe_first, runs_of, severity_of};

/// The entries for one account: every image in use with scan findings, and
/// every running image whose findings are unknown (never scanned, or a scan
/// with no result: not clean). Ranked later, across accounts.
pub fn vulnerable_images(account: &AccountInventory) -> Vec<VulnerableImage> {
    let Collected::Ok(images) = &account.registry_images else { return Vec::new() };
    let mut entries = Vec::new();
    for image in images {
        let runs = runs_of(account, image);
        let exposure = runs.exposure();
        let (findings, scan, complete): (&[Vulnerability], String, bool) = match &image.vulnerabilities {
            Collected::Ok(found) => match &found.coverage {
                Coverage::Complete => (&found.findings, "complete".to_owned(), true),
                Coverage::NeverScanned => (&[], "never scanned".to_owned(), false),
                Coverage::Unknown { reason } => (&found.findings, format!("unknown: {reason}"), false),
            },
            Collected::Failed(err) => {
                (&[], format!("unknown: {}:{} failed: {}", err.service, err.operation, err.message), false)
            }
            Collected::NotRequested => continue,
        };
        // An image with no findings is listed only when it runs and its findings are unknown.
        if findings.is_empty() && (complete || exposure == Exposure::NotRunning) {
            continue;
        }
        entries.push(entry(account, image, &runs, exposure, findings, scan));
    }
    entries
}

fn entry(
    account: &AccountInventory,
    image: &RegistryImage,
    runs: &Runs<'_>,
    exposure: Exposure,
    findings: &[Vulnerability],
    scan: String,
) -> VulnerableImage {
    let mut severity_counts: BTreeMap<String, usize> = BTreeMap::new();
    for finding in findings {
        *severity_counts.entry(finding.severity.to_ascii_uppercase()).or_default() += 1;
    }
    let mut sorted: Vec<&Vulnerability> = findings.iter().collect();
    most_severe_first(&mut sorted);
    let highest_severity = sorted.first().map(|finding| finding.severity.to_ascii_uppercase());
    let fixable = findings.iter().filter(|finding| has_fix(finding)).count();
    let exploitable = findings.iter().filter(|finding| has_exploit(finding)).count();
    let shown: Vec<VulnerabilityInfo> =
        sorted.iter().take(VulnerableImage::FINDINGS_SHOWN).map(|finding| info(finding)).collect();
    let services = runs.services();
    let reachable_through = runs.reachable_through();
    let mut reasons = vec![exposure_reason(exposure, runs, &services, &reachable_through)];
    if findings.is_empty() {
        reasons.push(format!("its scan findings are not known ({scan}), so it cannot be called clean"));
    } else {
        let counts: Vec<String> = severity_counts
            .iter()
            .map(|(severity, count)| ((severity_of(severity), severity.clone()), format!("{count} {severity}")))
            .collect::<BTreeMap<_, _>>()
            .into_values()
            .rev()
            .collect();
        reasons.push(format!("{} finding(s): {}", findings.len(), counts.join(", ")));
        if let Some(worst) = sorted.first() {
            reasons.push(format!("worst: {}", describe(worst)));
        }
        if exploitable > 0 {
            reasons.push(format!("{exploitable} with a known exploit"));
        }
        if fixable > 0 {
            reasons.push(format!("a fix is available for {fixable} of {}", findings.len()));
        }
    }
    VulnerableImage {
        rank: 0,
        account_id: account.account_id.clone(),
        region: image.region.clone(),
        image: image.id.clone(),
        resource_arn: image.arn.clone(),
        exposure,
        running_tasks: runs.runs.len(),
        services,
        reachable_through,
        highest_severity,
        severity_counts,
        fixable,
        exploitable,
        findings_total: findings.len(),
        findings: shown,
        scan,
        reasons,
    }
}

fn exposure_reason(exposure: Exposure, runs: &Runs<'_>, services: &[String], ways: &[String]) -> String {
    let running = || {
        let tasks = runs.runs.len();
        if services.is_empty() {
            format!("runs in {tasks} standalone task(s)")
        } else {
            format!("runs in {tasks} task(s) of {}", services.join(", "))
        }
    };
    match exposure {
        Exposure::Internet => format!("{}, reachable from the internet through {}", running(), ways.join("; ")),
        Exposure::Unknown if runs.runs.is_empty() => {
            format!("may run: {}", runs.unknowns().join("; "))
        }
        Exposure::Unknown => {
            format!("{}; whether the internet reaches it is unknown: {}", running(), runs.unknowns().join("; "))
        }
        Exposure::Internal => format!("{}, none reachable from the internet", running()),
        Exposure::NotRunning => "named by a task definition but run by no task".to_owned(),
    }
}

fn info(finding: &Vulnerability) -> VulnerabilityInfo {
    let package = finding.packages.first();
    VulnerabilityInfo {
        id: finding.id.clone(),
        severity: finding.severity.to_ascii_uppercase(),
        package: package.and_then(|package| {
            package.name.as_ref().map(|name| match &package.installed_version {
                Some(version) => format!("{name} {version}"),
                None => name.clone(),
            })
        }),
        fixed_in: package.and_then(|package| package.fixed_in.clone()),
        fix_available: finding.fix_available.clone(),
        exploit_available: finding.exploit_available.clone(),
        score: finding.score,
        uri: finding.uri.clone(),
    }
}
