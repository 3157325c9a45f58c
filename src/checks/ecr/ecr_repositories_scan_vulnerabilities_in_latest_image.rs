//! The latest image of each repository was scanned and has no finding at or
//! above `min_vulnerability_severity` (default high).

use std::str::FromStr;

use super::repositories;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::ScanResult;
use crate::severity::Severity;

pub const CHECK: Check = Check {
    id: "ecr_repositories_scan_vulnerabilities_in_latest_image",
    needs: &[ResourceKind::EcrRepositories, ResourceKind::EcrLatestImageScan],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let threshold = ctx.config.min_vulnerability_severity;
    repositories::each(ctx, out, |region, repository, out| {
        let scan = match repository.latest_image_scan.get() {
            Ok(Some(scan)) => scan,
            // No image, nothing to judge: the repository gets no finding.
            Ok(None) => return,
            Err(why) => {
                out.resource(region, &repository.name, &repository.arn)
                    .error(format!("Could not read the latest image scan of repository {}: {why}", repository.name));
                return;
            }
        };
        let resource_id = format!("{}@{}", repository.name, scan.digest);
        let arn = format!("{}/{}", repository.arn, scan.digest);
        let tags = if scan.tags.is_empty() { "untagged".to_owned() } else { format!("tags: {}", scan.tags.join(", ")) };
        let subject = format!("The latest image of repository {} ({}, {tags})", repository.name, scan.digest);
        let finding = out.resource(region, resource_id, arn);
        let Some(result) = &scan.result else {
            finding.fail(format!("{subject} has never been scanned for vulnerabilities."));
            return;
        };
        if let Some(status) = result.status.as_deref().filter(|status| !matches!(*status, "COMPLETE" | "ACTIVE")) {
            finding.fail(format!("{subject} has no completed scan (scan status {status})."));
            return;
        }
        let over = at_or_above(result, threshold);
        if over.is_empty() {
            finding.pass(format!("{subject} was scanned and has no finding of severity {threshold} or above."));
        } else {
            let counts: Vec<String> = over.iter().map(|(severity, count)| format!("{count} {severity}")).collect();
            finding.fail(format!(
                "{subject} has vulnerabilities of severity {threshold} or above: {}.",
                counts.join(", ")
            ));
        }
    });
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

/// Scan states the emulator cannot produce (failed, in progress, enhanced
/// ACTIVE, untriaged findings), judged on inventory built in code.
#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::Config;
    use crate::inventory::ecr::{EcrRegion, ImageScan, Repository};
    use crate::inventory::{AccountInventory, Collected, RegionInventory};
    use crate::severity::Status;

    fn verdict(status: Option<&str>, counts: &[(&str, i32)], threshold: Severity) -> Status {
        let repository = Repository {
            name: "app".into(),
            arn: "arn:aws:ecr:eu-west-1:111122223333:repository/app".into(),
            registry_id: "111122223333".into(),
            policy: Collected::NotRequested,
            images: Collected::NotRequested,
            scan_on_push: false,
            tag_mutability: "MUTABLE".into(),
            encryption_type: "AES256".into(),
            kms_key: None,
            lifecycle_policy: Collected::NotRequested,
            scanning: Collected::NotRequested,
            latest_image_scan: Collected::Ok(Some(ImageScan {
                digest: "sha256:abc".into(),
                tags: vec!["v1".into()],
                result: Some(ScanResult {
                    status: status.map(str::to_owned),
                    completed_at: None,
                    severity_counts: counts.iter().map(|(name, count)| (name.to_string(), *count)).collect(),
                }),
            })),
        };
        let region = RegionInventory {
            ecr: EcrRegion { repositories: Collected::Ok(vec![repository]), ..Default::default() },
            ..Default::default()
        };
        let account = AccountInventory {
            account_id: "111122223333".into(),
            partition: "aws".into(),
            regions: BTreeMap::from([("eu-west-1".to_owned(), region)]),
            trails: BTreeMap::new(),
            iam: Default::default(),
        };
        let config = Config { min_vulnerability_severity: threshold, ..Config::default() };
        let findings = CHECK.run(&Context { account: &account, config: &config, now_epoch_seconds: 0 });
        assert_eq!(findings.len(), 1);
        findings[0].status
    }

    #[test]
    fn only_a_completed_scan_below_the_threshold_passes() {
        assert_eq!(verdict(Some("COMPLETE"), &[("MEDIUM", 3)], Severity::High), Status::Pass);
        assert_eq!(verdict(Some("ACTIVE"), &[("CRITICAL", 1)], Severity::High), Status::Fail, "enhanced scanning");
        assert_eq!(verdict(Some("FAILED"), &[], Severity::High), Status::Fail);
        assert_eq!(verdict(Some("IN_PROGRESS"), &[], Severity::High), Status::Fail);
        assert_eq!(verdict(None, &[("UNTRIAGED", 4), ("UNDEFINED", 1)], Severity::Informational), Status::Pass);
        assert_eq!(verdict(Some("COMPLETE"), &[("HIGH", 0)], Severity::Low), Status::Pass, "zero counts");
        assert_eq!(verdict(Some("COMPLETE"), &[("LOW", 1)], Severity::Low), Status::Fail);
    }
}
