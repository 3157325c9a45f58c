//! An internet-facing application load balancer is protected by a WAFv2
//! web ACL (FSBP ELB.16).

use super::is_application;
use crate::checks::{Check, Context, Judgement, Read, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::elbv2::LoadBalancer;

pub const CHECK: Check =
    Check { id: "elbv2_waf_acl_attached", scope: Scope::LoadBalancers(judge), reads: &[ResourceKind::WebAcls] };

fn judge(ctx: &Context<'_>, region: &str, balancer: &LoadBalancer) -> Verdict {
    // Network and gateway load balancers take no web ACL; an internal one
    // is reached from inside the VPC only.
    if !is_application(balancer) || !balancer.is_internet_facing() {
        return Ok(Judgement::NotApplicable);
    }
    let acls = ctx.account.regions[region].elbv2.web_acls.read("the region's web ACLs")?;
    let mut unread = Vec::new();
    for acl in acls {
        match acl.protects.get() {
            Ok(protected) if protected.contains(&balancer.arn) => {
                return pass(format!("is protected by WAFv2 web ACL {}.", acl.name));
            }
            Ok(_) => {}
            Err(why) => unread.push(format!("{} ({why})", acl.name)),
        }
    }
    if !unread.is_empty() {
        return unknown(format!(
            "is in no web ACL that could be read, and what these protect is unknown: {}",
            unread.join("; ")
        ));
    }
    fail(format!(
        "is reachable from the internet and no WAFv2 web ACL protects it ({} web ACL(s) in the region), so nothing filters SQL injection, cross-site scripting or request floods before they reach its targets.",
        acls.len()
    ))
}
