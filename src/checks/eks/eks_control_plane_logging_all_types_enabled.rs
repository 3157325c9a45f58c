//! Every control plane log type is sent to CloudWatch Logs (FSBP EKS.8
//! asks for audit; CIS EKS 2.1.1 for all of them).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::eks::{EksCluster, LOG_TYPES};

pub const CHECK: Check =
    Check { id: "eks_control_plane_logging_all_types_enabled", scope: Scope::EksClusters(judge), reads: &[] };

fn judge(_: &Context<'_>, cluster: &EksCluster) -> Verdict {
    let missing: Vec<&str> =
        LOG_TYPES.iter().copied().filter(|kind| !cluster.enabled_log_types.iter().any(|on| on == kind)).collect();
    if missing.is_empty() {
        pass(format!("logs every control plane log type ({}).", LOG_TYPES.join(", ")))
    } else {
        fail(format!("does not log control plane log types {}.", missing.join(", ")))
    }
}
