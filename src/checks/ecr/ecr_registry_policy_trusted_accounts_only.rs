//! One finding per region's private registry: its registry policy (used
//! for replication and pull-through cache) grants nothing to accounts outside
//! the audited account and `trusted_accounts`.

use super::cross_account;
use crate::checks::{Check, Context, Read, Registry, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;

pub const CHECK: Check = Check {
    id: "ecr_registry_policy_trusted_accounts_only",
    scope: Scope::Registries(judge),
    reads: &[ResourceKind::EcrRegistryPolicy],
};

fn judge(ctx: &Context<'_>, registry: &Registry<'_>) -> Verdict {
    let subject = registry.describe();
    let Some(policy) = registry.ecr.registry_policy.read(format_args!("the registry policy of {subject}"))? else {
        return pass(format!("{subject} has no registry policy."));
    };
    match cross_account::untrusted(ctx, policy) {
        Ok(None) => pass(format!("{subject} has a registry policy that names only trusted accounts.")),
        Ok(Some(who)) => fail(format!("{subject} has a registry policy granting untrusted accounts: {who}.")),
        Err(err) => unknown(format!("Could not evaluate the registry policy of {subject}: {err}")),
    }
}
