//! Repositories without a lifecycle policy.

use crate::checks::{Check, Context, Read, Scope, Unknown, Verdict, fail, pass, unknown};
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
    // A document that cannot be read is no evidence of a working policy.
    let document: serde_json::Value = serde_json::from_str(policy).map_err(|err| {
        Unknown(format!("Could not evaluate the lifecycle policy of {subject}: it is not valid JSON ({err})"))
    })?;
    let Some(rules) = document.get("rules").and_then(serde_json::Value::as_array) else {
        return unknown(format!("Could not evaluate the lifecycle policy of {subject}: it has no \"rules\" list"));
    };
    pass(format!("{subject} has a lifecycle policy ({} rule(s)).", rules.len()))
}
