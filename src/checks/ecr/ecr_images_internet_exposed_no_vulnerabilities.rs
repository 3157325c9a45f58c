//! An image the internet reaches while it runs has no scan finding at or
//! above `min_vulnerability_severity`: the vulnerabilities that matter
//! first, out of the hundreds a scan of any base image reports.

use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::image_configs::RegistryImage;
use crate::inventory::image_vulnerabilities::Coverage;
use crate::model::Exposure;
use crate::rules::reachability::{at_or_above, name_first, runs_of};

pub const CHECK: Check = Check {
    id: "ecr_images_internet_exposed_no_vulnerabilities",
    scope: Scope::ImagesInUse(judge),
    reads: &[
        ResourceKind::ImageVulnerabilities,
        ResourceKind::EcsServices,
        ResourceKind::Ec2NetworkInterfaces,
        ResourceKind::Ec2SecurityGroups,
        ResourceKind::Ec2RouteTables,
        ResourceKind::LoadBalancers,
    ],
};

/// How many of the findings over the threshold a message names.
const NAMED: usize = 3;

fn judge(ctx: &Context<'_>, image: &RegistryImage) -> Verdict {
    let threshold = ctx.config.min_vulnerability_severity;
    let runs = runs_of(ctx.account, image);
    let exposure = runs.exposure();
    match exposure {
        Exposure::NotRunning => return pass("is run by no task, so the internet reaches none of its vulnerabilities."),
        Exposure::Internal => {
            return pass(format!(
                "runs in {} task(s), none reachable from the internet (no public IPv4 or internet-routed IPv6 address open on its ports, no internet-facing load balancer).",
                runs.runs.len()
            ));
        }
        Exposure::Internet | Exposure::Unknown => {}
    }
    let exposed = match exposure {
        Exposure::Internet => format!("runs where the internet reaches it ({})", runs.reachable_through().join("; ")),
        _ => format!("runs where reachability is unknown ({})", runs.unknowns().join("; ")),
    };
    let found = image.vulnerabilities.read("the image's scan findings")?;
    let over = at_or_above(&found.findings, threshold);
    match (&found.coverage, over.is_empty(), exposure) {
        (Coverage::NeverScanned, _, Exposure::Internet) => fail(format!(
            "{exposed} and was never scanned, so nothing shows it is free of {threshold} vulnerabilities."
        )),
        (Coverage::Unknown { .. }, true, _) | (Coverage::NeverScanned, true, Exposure::Unknown) => {
            let reason = match &found.coverage {
                Coverage::Unknown { reason } => reason.clone(),
                _ => "never scanned".to_owned(),
            };
            unknown(format!("{exposed}, and its scan results are not known ({reason}): it cannot be called clean."))
        }
        (_, true, _) => pass(format!("{exposed}, and its scan has no finding of severity {threshold} or above.")),
        (_, false, Exposure::Internet) => fail(format!(
            "{exposed} and has {} finding(s) of severity {threshold} or above: {}.",
            over.len(),
            name_first(&over, NAMED)
        )),
        (_, false, _) => unknown(format!(
            "has {} finding(s) of severity {threshold} or above ({}) and {exposed}.",
            over.len(),
            name_first(&over, NAMED)
        )),
    }
}
