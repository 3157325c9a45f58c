//! HTTPS and TLS listeners use a security policy that accepts TLS 1.2 or
//! later only (FSBP ELB.17, as Prowler judges it).

use super::security_policies::{OLDEST_ACCEPTED, oldest_tls};
use crate::checks::verdict::Parts;
use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::elbv2::{Listener, LoadBalancer};
use crate::severity::Status;

pub const CHECK: Check = Check {
    id: "elbv2_insecure_ssl_ciphers",
    scope: Scope::LoadBalancers(judge),
    reads: &[ResourceKind::LoadBalancerListeners],
};

fn judge(_: &Context<'_>, _: &str, balancer: &LoadBalancer) -> Verdict {
    let listeners = balancer.listeners.read("its listeners")?;
    let parts: Parts = listeners
        .iter()
        .filter(|listener| matches!(listener.protocol.as_deref(), Some("HTTPS" | "TLS")))
        .map(policy)
        .collect();
    if parts.passed.is_empty() && parts.failed.is_empty() && parts.unknown.is_empty() {
        return pass("terminates no TLS (no HTTPS or TLS listener), so no security policy applies.");
    }
    match parts.every() {
        Status::Fail => {
            fail(format!("accepts deprecated TLS versions and their weak ciphers: {}.", parts.failed.join("; ")))
        }
        Status::Error => unknown(parts.unknown.join("; ")),
        _ => pass(format!("accepts {OLDEST_ACCEPTED} or later only: {}.", parts.passed.join("; "))),
    }
}

fn policy(listener: &Listener) -> Verdict {
    let named = listener.describe();
    let Some(policy) = listener.ssl_policy.as_deref() else {
        return unknown(format!("listener {named} names no security policy"));
    };
    match oldest_tls(policy) {
        Some(tls) if tls < OLDEST_ACCEPTED => fail(format!("listener {named} uses {policy}, which accepts {tls}")),
        Some(_) => pass(format!("{named} uses {policy}")),
        None => unknown(format!(
            "listener {named} uses security policy {policy}, which is not in bulkhead's table of ELB security policies"
        )),
    }
}
