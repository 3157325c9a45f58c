//! Clusters have Container Insights on (FSBP ECS.12).

use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "ecs_cluster_container_insights_enabled", needs: &[ResourceKind::EcsClusters], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    for (region, inventory) in &ctx.account.regions {
        let clusters = match inventory.ecs.clusters.get() {
            Ok(clusters) => clusters,
            Err(why) => {
                out.scope_error("ecs", region, "cluster/*", why);
                continue;
            }
        };
        for cluster in clusters {
            let subject = format!("Cluster {}", cluster.name);
            let finding = out.resource(region, &cluster.name, &cluster.arn);
            match cluster.container_insights.as_deref() {
                Some(setting @ ("enabled" | "enhanced")) => {
                    finding.pass(format!("{subject} has Container Insights {setting}."))
                }
                Some(setting) => finding.fail(format!("{subject} has Container Insights {setting}.")),
                None => finding.fail(format!("{subject} has no containerInsights setting (off).")),
            }
        }
    }
}
