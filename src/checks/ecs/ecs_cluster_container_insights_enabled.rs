//! Clusters have Container Insights on (FSBP ECS.12).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecs::Cluster;

pub const CHECK: Check =
    Check { id: "ecs_cluster_container_insights_enabled", scope: Scope::Clusters(judge), reads: &[] };

fn judge(_: &Context<'_>, cluster: &Cluster) -> Verdict {
    let subject = format!("Cluster {}", cluster.name);
    match cluster.container_insights.as_deref() {
        Some(setting @ ("enabled" | "enhanced")) => pass(format!("{subject} has Container Insights {setting}.")),
        Some(setting) => fail(format!("{subject} has Container Insights {setting}.")),
        None => fail(format!("{subject} has no containerInsights setting (off).")),
    }
}
