//! An application load balancer drops HTTP headers with invalid names
//! (FSBP ELB.4).

use super::is_application;
use crate::checks::{Check, Context, Judgement, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::elbv2::LoadBalancer;

pub const CHECK: Check = Check {
    id: "elbv2_alb_drop_invalid_header_fields_enabled",
    scope: Scope::LoadBalancers(judge),
    reads: &[ResourceKind::LoadBalancerAttributes],
};

fn judge(_: &Context<'_>, _: &str, balancer: &LoadBalancer) -> Verdict {
    if !is_application(balancer) {
        return Ok(Judgement::NotApplicable);
    }
    let attributes = balancer.attributes.read("its attributes")?;
    match attributes.drop_invalid_header_fields {
        Some(true) => {
            pass("drops HTTP headers with invalid names (routing.http.drop_invalid_header_fields.enabled: true).")
        }
        _ => fail(
            "passes HTTP headers with invalid names on to its targets (routing.http.drop_invalid_header_fields.enabled: false), which opens the way to request smuggling and header injection.",
        ),
    }
}
