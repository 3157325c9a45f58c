//! The cluster's Kubernetes API endpoint is not public (FSBP EKS.1); one
//! that is public but open only to listed CIDRs passes where the
//! configuration accepts it (`eks_public_endpoint_cidrs_accepted`).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::eks::EksCluster;

pub const CHECK: Check =
    Check { id: "eks_cluster_not_publicly_accessible", scope: Scope::EksClusters(judge), reads: &[] };

fn judge(ctx: &Context<'_>, cluster: &EksCluster) -> Verdict {
    if !cluster.endpoint_public_access {
        return pass("has a private API endpoint only (public access off).");
    }
    let open = cluster.public_access_cidrs.is_empty()
        || cluster.public_access_cidrs.iter().any(|cidr| cidr == "0.0.0.0/0" || cidr == "::/0");
    if open {
        return fail("has a public API endpoint open to the whole internet (0.0.0.0/0).");
    }
    let cidrs = cluster.public_access_cidrs.join(", ");
    if ctx.config.eks_public_endpoint_cidrs_accepted {
        pass(format!(
            "has a public API endpoint open only to {cidrs} (accepted: eks_public_endpoint_cidrs_accepted = true)."
        ))
    } else {
        fail(format!(
            "has a public API endpoint, open only to {cidrs}; set eks_public_endpoint_cidrs_accepted = true in bulkhead.toml to accept a CIDR-limited endpoint."
        ))
    }
}
