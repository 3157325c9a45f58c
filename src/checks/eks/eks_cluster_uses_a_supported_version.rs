//! The cluster's Kubernetes version is in EKS standard support on the scan
//! date (FSBP EKS.2), judged against the dated table in
//! `kubernetes_versions.toml`; extended support fails with its end date
//! unless the configuration accepts it (`eks_extended_support_accepted`).

use super::versions::{self, Support};
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::eks::EksCluster;

pub const CHECK: Check =
    Check { id: "eks_cluster_uses_a_supported_version", scope: Scope::EksClusters(judge), reads: &[] };

fn judge(ctx: &Context<'_>, cluster: &EksCluster) -> Verdict {
    let Some(version) = cluster.version.as_deref() else {
        return unknown("DescribeCluster reported no Kubernetes version.");
    };
    let today = jiff::tz::TimeZone::UTC.to_datetime(ctx.now).date();
    let table = versions::table();
    let dated = format!("(EKS version table as of {}: {})", table.as_of, table.source);
    match versions::support(version, today) {
        Support::Standard { released, until } => {
            pass(format!("runs Kubernetes {version} (on EKS since {released}), in standard support until {until}."))
        }
        Support::Newer => pass(format!("runs Kubernetes {version}, newer than every version in the table {dated}.")),
        Support::Extended(until) if ctx.config.eks_extended_support_accepted => pass(format!(
            "runs Kubernetes {version}, in extended support until {until} (accepted: eks_extended_support_accepted = true)."
        )),
        Support::Extended(until) => fail(format!(
            "runs Kubernetes {version}, past standard support and in paid extended support until {until} {dated}."
        )),
        Support::Ended(Some(ended)) => {
            fail(format!("runs Kubernetes {version}, whose extended support ended on {ended} {dated}."))
        }
        Support::Ended(None) => {
            fail(format!("runs Kubernetes {version}, older than every version EKS still supports {dated}."))
        }
        Support::Unreadable => unknown(format!("reports Kubernetes version {version:?}, which is not MAJOR.MINOR.")),
    }
}
