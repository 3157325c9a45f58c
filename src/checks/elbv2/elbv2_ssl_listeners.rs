//! An application load balancer's HTTP listeners redirect to HTTPS (FSBP ELB.1).

use super::is_application;
use crate::checks::{Check, Context, Judgement, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::elbv2::{Listener, LoadBalancer};

pub const CHECK: Check = Check {
    id: "elbv2_ssl_listeners",
    scope: Scope::LoadBalancers(judge),
    reads: &[ResourceKind::LoadBalancerListeners],
};

fn judge(_: &Context<'_>, _: &str, balancer: &LoadBalancer) -> Verdict {
    if !is_application(balancer) {
        return Ok(Judgement::NotApplicable);
    }
    let listeners = balancer.listeners.read("its listeners")?;
    let plain: Vec<String> =
        listeners.iter().filter(|listener| serves_plain_http(listener)).map(Listener::describe).collect();
    if !plain.is_empty() {
        return fail(format!(
            "serves plain HTTP: listener(s) {} do not redirect to HTTPS, so requests and their cookies and tokens cross the network unencrypted.",
            plain.join(", ")
        ));
    }
    let redirects = listeners.iter().filter(|listener| listener.protocol.as_deref() == Some("HTTP")).count();
    match redirects {
        0 => pass("has no HTTP listener."),
        n => pass(format!("redirects each of its {n} HTTP listener(s) to HTTPS.")),
    }
}

/// An HTTP listener whose default action does not redirect to HTTPS.
fn serves_plain_http(listener: &Listener) -> bool {
    listener.protocol.as_deref() == Some("HTTP")
        && !listener
            .default_actions
            .iter()
            .any(|action| action.kind == "redirect" && action.redirect_protocol.as_deref() == Some("HTTPS"))
}
