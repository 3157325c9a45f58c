//! Repository policies that grant access to accounts outside the audited
//! account and `trusted_accounts`.

use super::cross_account;
use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::Repository;

pub const CHECK: Check = Check {
    id: "ecr_repositories_policy_trusted_accounts_only",
    scope: Scope::Repositories(judge),
    reads: &[ResourceKind::EcrRepositoryPolicies],
};

fn judge(ctx: &Context<'_>, repository: &Repository) -> Verdict {
    let subject = format!("Repository {}", repository.name);
    let Some(policy) = repository.policy.read(format_args!("the policy of {subject}"))? else {
        return pass(format!("{subject} has no repository policy."));
    };
    match cross_account::untrusted(ctx, policy) {
        Ok(None) => pass(format!("{subject} has a policy that names only trusted accounts.")),
        Ok(Some(who)) => fail(format!("{subject} has a policy granting untrusted accounts: {who}.")),
        Err(err) => unknown(format!("Could not evaluate the policy of {subject}: {err}")),
    }
}
