//! Repositories without a lifecycle policy.

use super::repositories;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check = Check {
    id: "ecr_repositories_lifecycle_policy_enabled",
    needs: &[ResourceKind::EcrRepositories, ResourceKind::EcrLifecyclePolicies],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    repositories::each(ctx, out, |region, repository, out| {
        let finding = out.resource(region, &repository.name, &repository.arn);
        let subject = format!("Repository {}", repository.name);
        match repository.lifecycle_policy.get() {
            Ok(Some(policy)) => {
                let rules = serde_json::from_str::<serde_json::Value>(policy)
                    .ok()
                    .and_then(|policy| policy["rules"].as_array().map(Vec::len))
                    .unwrap_or(0);
                finding.pass(format!("{subject} has a lifecycle policy ({rules} rule(s))."))
            }
            Ok(None) => finding.fail(format!("{subject} has no lifecycle policy: old and untagged images pile up.")),
            Err(why) => finding.error(format!("Could not read the lifecycle policy of {subject}: {why}")),
        }
    });
}
