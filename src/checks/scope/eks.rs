//! The walks of EKS clusters and their managed node groups.

use super::super::verdict::{Unknown, Verdict, reword};
use super::super::{Context, Findings};
use crate::inventory::eks::{EksCluster, Nodegroup};

/// `Cluster NAME <verdict>`; clusters AWS listed but could not describe are ERROR.
pub(super) fn clusters(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &EksCluster) -> Verdict) {
    for (region, clusters) in out.per_region(|region| &region.eks.clusters) {
        undescribed_clusters(ctx, out, region);
        for cluster in clusters {
            let subject = format!("EKS cluster {}", cluster.name);
            let verdict =
                reword(rule(ctx, cluster), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"));
            out.record(region, cluster, verdict);
        }
    }
}

fn undescribed_clusters(ctx: &Context<'_>, out: &mut Findings<'_>, region: &str) {
    for cluster in &ctx.account.regions[region].eks.undescribed_clusters {
        let message = format!("Could not describe EKS cluster {}: {}", cluster.id, cluster.error.message);
        out.record(region, cluster, Err(Unknown(message)));
    }
}

/// `Node group NAME of EKS cluster CLUSTER <verdict>`; a cluster whose node
/// groups could not be listed gets the ERROR under its own identity, a node
/// group that could not be described under its own.
pub(super) fn nodegroups(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &EksCluster, &Nodegroup) -> Verdict,
) {
    for (region, clusters) in out.per_region(|region| &region.eks.clusters) {
        undescribed_clusters(ctx, out, region);
        for cluster in clusters {
            for nodegroup in &cluster.undescribed_nodegroups {
                let message = format!("Could not describe node group {}: {}", nodegroup.id, nodegroup.error.message);
                out.record(region, nodegroup, Err(Unknown(message)));
            }
            let nodegroups = match cluster.nodegroups.get() {
                Ok(nodegroups) => nodegroups,
                Err(why) => {
                    let message = format!("Could not list the node groups of EKS cluster {}: {why}", cluster.name);
                    out.record(region, cluster, Err(Unknown(message)));
                    continue;
                }
            };
            for nodegroup in nodegroups {
                let subject = format!("Node group {} of EKS cluster {}", nodegroup.name, cluster.name);
                let verdict = reword(
                    rule(ctx, cluster, nodegroup),
                    |why| format!("{subject} {why}"),
                    |why| format!("{subject}: {why}"),
                );
                out.record(region, nodegroup, verdict);
            }
        }
    }
}
