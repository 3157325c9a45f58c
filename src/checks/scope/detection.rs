//! The walks of the services that detect attacks, once per region about
//! the account there (GuardDuty's detectors, Inspector's status), and of
//! ECS task sets.

use super::super::verdict::{Unknown, Verdict, reword};
use super::super::{Context, Findings};
use crate::inventory::ecs::{EcsService, TaskSet};
use crate::inventory::guardduty::Detector;
use crate::inventory::inspector2::InspectorAccount;

/// One finding per region about the account there, with the region's
/// detectors; a region that does not offer GuardDuty gets none (the report
/// notes the feature off).
pub(super) fn guardduty(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &[Detector]) -> Verdict) {
    let account = ctx.account;
    for (region, detectors) in out.per_region(|region| &region.guardduty.detectors) {
        if !account.regions[region].guardduty.features_off.is_empty() {
            continue;
        }
        let subject = format!("GuardDuty in {region}");
        let verdict = reword(rule(ctx, detectors), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"));
        out.record_scope(region, region, verdict);
    }
}

/// One finding per region about the account there, with its Inspector status.
pub(super) fn inspector(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &InspectorAccount) -> Verdict,
) {
    let account = ctx.account;
    for (region, status) in out.per_region(|region| &region.inspector2.account) {
        if !account.regions[region].inspector2.features_off.is_empty() {
            continue;
        }
        let subject = format!("Amazon Inspector in {region}");
        let verdict = reword(rule(ctx, status), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"));
        out.record_scope(region, region, verdict);
    }
}

/// `Task set ID of service S of cluster C <verdict>`, for every task set
/// `DescribeServices` reports; the ERRORs of the clusters and services as
/// the service walk gives them.
pub(super) fn task_sets(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &EcsService, &TaskSet) -> Verdict,
) {
    for (region, clusters) in out.per_region(|region| &region.ecs.clusters) {
        super::undescribed_clusters(ctx, out, region);
        for cluster in clusters {
            for service in &cluster.undescribed_services {
                let message = format!("Could not describe service {}: {}", service.id, service.error.message);
                out.record(region, service, Err(Unknown(message)));
            }
            let services = match cluster.services.get() {
                Ok(services) => services,
                Err(why) => {
                    let message = format!("Could not list the services of cluster {}: {why}", cluster.name);
                    out.record(region, cluster, Err(Unknown(message)));
                    continue;
                }
            };
            for service in services {
                for set in &service.task_sets {
                    let short = set.id.rsplit('/').next().unwrap_or(&set.id);
                    let subject = format!("Task set {short} of service {} of cluster {}", service.name, cluster.name);
                    let verdict = reword(
                        rule(ctx, service, set),
                        |why| format!("{subject} {why}"),
                        |why| format!("{subject}: {why}"),
                    );
                    out.record(region, set, verdict);
                }
            }
        }
    }
}
