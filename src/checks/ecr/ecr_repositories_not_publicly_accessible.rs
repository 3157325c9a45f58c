//! Repository policies that let anyone (or any AWS account) in, judged on
//! the whole policy: a condition or a Deny that narrows who gets in counts.

use crate::checks::Unknown;
use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::Repository;
use crate::policy::{Access, Limits, evaluate};

pub const CHECK: Check = Check {
    id: "ecr_repositories_not_publicly_accessible",
    scope: Scope::Repositories(judge),
    reads: &[ResourceKind::EcrRepositoryPolicies],
};

fn judge(_: &Context<'_>, repository: &Repository) -> Verdict {
    let subject = format!("Repository {}", repository.name);
    let Some(policy) = repository.policy.read(format_args!("the policy of {subject}"))? else {
        return pass(format!("{subject} has no repository policy."));
    };
    let access = evaluate(policy, &Limits::default())
        .map_err(|err| Unknown(format!("Could not evaluate the policy of {subject}: {err}")))?;
    if !access.is_public() {
        return pass(format!(
            "{subject} has a policy that grants access only to named principals or narrows it by account or organisation."
        ));
    }
    fail(format!("{subject} is public: its policy lets in {}.", Access::describe(&access.public_grants())))
}
