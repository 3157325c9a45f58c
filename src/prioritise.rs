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
    reasons.extend(shipped_secrets(image, exposure));
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

/// The secrets in the image's layers: whoever gets into a container of
/// it, or pulls it, has them, and an exposed one is the likelier way in.
fn shipped_secrets(image: &RegistryImage, exposure: Exposure) -> Option<String> {
    let Collected::Ok(layers) = &image.layers else { return None };
    if layers.secrets.is_empty() {
        return None;
    }
    let rules: std::collections::BTreeSet<&str> = layers.secrets.iter().map(|secret| secret.rule.as_str()).collect();
    let deleted = layers.secrets.iter().filter(|secret| secret.deleted_in.is_some()).count();
    let mut reason = format!(
        "it also ships {} secret(s) in its layers ({})",
        layers.secrets.len(),
        rules.into_iter().collect::<Vec<_>>().join(", ")
    );
    if deleted > 0 {
        reason.push_str(&format!(", {deleted} deleted by a later layer but still in the image"));
    }
    if exposure == Exposure::Internet {
        reason.push_str(": whoever breaks in from the internet finds credentials to go further");
    }
    Some(reason)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::image_layers::{ImageLayers, LayerSecret};

    #[test]
    fn secrets_in_the_layers_are_a_reason_never_their_values() {
        let mut image = crate::inventory::fixtures::registry_image(
            &crate::inventory::fixtures::own_ecr_image("app", "v1"),
            Collected::Ok(crate::inventory::fixtures::image_config()),
        );
        assert_eq!(shipped_secrets(&image, Exposure::Internet), None);
        let secret = |rule: &str, deleted_in| LayerSecret {
            path: "root/.aws/credentials".into(),
            layer: 1,
            rule: rule.into(),
            fingerprint: "hmac-sha256:00".into(),
            deleted_in,
        };
        image.layers = Collected::Ok(ImageLayers {
            secrets: vec![secret("aws_credentials_file", Some(2)), secret("private_key", None)],
            ..ImageLayers::default()
        });
        let reason = shipped_secrets(&image, Exposure::Internet).unwrap();
        assert_eq!(
            reason,
            "it also ships 2 secret(s) in its layers (aws_credentials_file, private_key), 1 deleted by a later layer \
             but still in the image: whoever breaks in from the internet finds credentials to go further"
        );
        assert!(!shipped_secrets(&image, Exposure::Internal).unwrap().contains("internet"));
    }
}
