//! An application or network load balancer writes access logs (FSBP ELB.5).

use crate::checks::{Check, Context, Judgement, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::elbv2::LoadBalancer;

pub const CHECK: Check = Check {
    id: "elbv2_logging_enabled",
    scope: Scope::LoadBalancers(judge),
    reads: &[ResourceKind::LoadBalancerAttributes],
};

fn judge(_: &Context<'_>, _: &str, balancer: &LoadBalancer) -> Verdict {
    // A gateway load balancer has no access logs to turn on.
    if !matches!(balancer.kind.as_str(), "application" | "network") {
        return Ok(Judgement::NotApplicable);
    }
    let attributes = balancer.attributes.read("its attributes")?;
    if attributes.access_logs {
        let bucket = attributes.access_logs_bucket.as_deref().unwrap_or("a bucket it does not name");
        return pass(format!("writes access logs to {bucket}."));
    }
    fail(
        "writes no access logs (access_logs.s3.enabled: false): who sent which request through it cannot be told after an incident.",
    )
}
