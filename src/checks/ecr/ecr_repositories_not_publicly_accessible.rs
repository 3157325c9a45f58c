//! Repository policies that let any principal in, with no condition that
//! narrows them to known accounts or organisations.

use crate::checks::Unknown;
use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::Repository;
use crate::rules::resource_policy::public_grants;

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
    let grants =
        public_grants(policy).map_err(|err| Unknown(format!("Could not evaluate the policy of {subject}: {err}")))?;
    if grants.is_empty() {
        return pass(format!(
            "{subject} has a policy that grants access only to named principals or narrows it by account or organisation."
        ));
    }
    let statements: Vec<String> =
        grants.iter().map(|grant| format!("{} ({})", grant.statement, summarise(&grant.actions))).collect();
    fail(format!(
        "{subject} is public: policy statement {} allows any principal with no condition narrowing it to known accounts or organisations.",
        statements.join(", ")
    ))
}

fn summarise(actions: &[String]) -> String {
    match actions {
        [] => "no Action".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    }
}
