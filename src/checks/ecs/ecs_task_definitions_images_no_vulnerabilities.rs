//! No image of this account's ECR that a task definition names has a scan
//! finding at or above `min_vulnerability_severity`, whether or not it runs
//! or the internet reaches it: the gate on the vulnerabilities an image
//! takes into service (`bulkhead image` before a deployment), where
//! `ecr_images_internet_exposed_no_vulnerabilities` ranks what already runs
//! exposed.

use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::image_configs::RegistryImage;
use crate::inventory::image_vulnerabilities::{Coverage, ScanType};
use crate::rules::reachability::{at_or_above, name_first};

pub const CHECK: Check = Check {
    id: "ecs_task_definitions_images_no_vulnerabilities",
    scope: Scope::ImagesInUse(judge),
    reads: &[ResourceKind::ImageVulnerabilities],
};

/// How many of the findings over the threshold a message names.
const NAMED: usize = 5;

fn judge(ctx: &Context<'_>, image: &RegistryImage) -> Verdict {
    let threshold = ctx.config.min_vulnerability_severity;
    let found = image.vulnerabilities.read("the image's scan findings")?;
    let scanner = match found.scan_type {
        Some(ScanType::Basic) => "ECR basic scanning",
        Some(ScanType::Enhanced) => "Amazon Inspector (ECR enhanced scanning)",
        None => "ECR",
    };
    match &found.coverage {
        Coverage::NeverScanned => fail(format!(
            "was never scanned for vulnerabilities, so nothing shows it is free of {threshold} ones: scan it ({scanner}) before it is deployed."
        )),
        Coverage::Unknown { reason } => unknown(format!(
            "has no complete scan to judge ({reason}): it cannot be called free of {threshold} vulnerabilities."
        )),
        Coverage::Complete => {
            let over = at_or_above(&found.findings, threshold);
            let when =
                found.completed_at.map(|at| format!(", completed {}", at.strftime("%Y-%m-%d"))).unwrap_or_default();
            if over.is_empty() {
                pass(format!(
                    "was scanned by {scanner}{when} and has no finding of severity {threshold} or above ({} finding(s) in all).",
                    found.findings.len()
                ))
            } else {
                fail(format!(
                    "has {} finding(s) of severity {threshold} or above in its scan by {scanner}{when}: {}.",
                    over.len(),
                    name_first(&over, NAMED)
                ))
            }
        }
    }
}
