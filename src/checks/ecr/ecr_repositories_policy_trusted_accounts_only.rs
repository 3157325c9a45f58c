//! Repository policies that grant access to accounts outside the audited
//! account and `trusted_accounts`.

use super::{cross_account, repositories};
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check = Check {
    id: "ecr_repositories_policy_trusted_accounts_only",
    needs: &[ResourceKind::EcrRepositories, ResourceKind::EcrRepositoryPolicies],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    repositories::each(ctx, out, |region, repository, out| {
        let finding = out.resource(region, &repository.name, &repository.arn);
        let subject = format!("Repository {}", repository.name);
        match repository.policy.get() {
            Ok(None) => finding.pass(format!("{subject} has no repository policy.")),
            Ok(Some(policy)) => match cross_account::untrusted(ctx, policy) {
                Ok(None) => finding.pass(format!("{subject} has a policy that names only trusted accounts.")),
                Ok(Some(who)) => finding.fail(format!("{subject} has a policy granting untrusted accounts: {who}.")),
                Err(err) => finding.error(format!("Could not evaluate the policy of {subject}: {err}")),
            },
            Err(why) => finding.error(format!("Could not read the policy of {subject}: {why}")),
        }
    });
}
