//! Repository policies that let any principal in, with no condition that
//! narrows them to known accounts or organisations.

use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;
use crate::rules::resource_policy::public_grants;

pub const CHECK: Check = Check {
    id: "ecr_repositories_not_publicly_accessible",
    needs: &[ResourceKind::EcrRepositories, ResourceKind::EcrRepositoryPolicies],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let account = ctx.account;
    for (region, repositories) in out.per_region(account, "ecr", "repository/*", |region| &region.ecr.repositories) {
        for repository in repositories {
            let finding = out.resource(region, &repository.name, &repository.arn);
            let subject = format!("Repository {}", repository.name);
            let policy = match repository.policy.get() {
                Ok(Some(policy)) => policy,
                Ok(None) => {
                    finding.pass(format!("{subject} has no repository policy."));
                    continue;
                }
                Err(why) => {
                    finding.error(format!("Could not read the policy of {subject}: {why}"));
                    continue;
                }
            };
            match public_grants(policy) {
                Ok(grants) if grants.is_empty() => {
                    finding.pass(format!("{subject} has a policy that grants access only to named principals or narrows it by account or organisation."))
                }
                Ok(grants) => {
                    let statements: Vec<String> = grants
                        .iter()
                        .map(|grant| format!("{} ({})", grant.statement, summarise(&grant.actions)))
                        .collect();
                    finding.fail(format!(
                        "{subject} is public: policy statement {} allows any principal with no condition narrowing it to known accounts or organisations.",
                        statements.join(", ")
                    ))
                }
                Err(err) => finding.error(format!("Could not evaluate the policy of {subject}: {err}")),
            }
        }
    }
}

fn summarise(actions: &[String]) -> String {
    match actions {
        [] => "no Action".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    }
}
