//! Repositories without a lifecycle policy.

use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::Repository;

pub const CHECK: Check = Check {
    id: "ecr_repositories_lifecycle_policy_enabled",
    scope: Scope::Repositories(judge),
    reads: &[ResourceKind::EcrLifecyclePolicies],
};

fn judge(_: &Context<'_>, repository: &Repository) -> Verdict {
    let subject = format!("Repository {}", repository.name);
    let Some(policy) = repository.lifecycle_policy.read(format_args!("the lifecycle policy of {subject}"))? else {
        return fail(format!("{subject} has no lifecycle policy: old and untagged images pile up."));
    };
    let rules = serde_json::from_str::<serde_json::Value>(policy)
        .ok()
        .and_then(|policy| policy["rules"].as_array().map(Vec::len))
        .unwrap_or(0);
    pass(format!("{subject} has a lifecycle policy ({rules} rule(s))."))
}
