//! One finding per region's private registry: its registry policy (used
//! for replication and pull-through cache) grants nothing to accounts outside
//! the audited account and `trusted_accounts`.

use super::cross_account;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "ecr_registry_policy_trusted_accounts_only", needs: &[ResourceKind::EcrRegistryPolicy], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let account = ctx.account;
    for (region, inventory) in &account.regions {
        let arn = account.arn("ecr", region, "registry");
        let subject = format!("Registry {} in {region}", account.account_id);
        let finding = out.resource(region, &account.account_id, arn);
        match inventory.ecr.registry_policy.get() {
            Ok(None) => finding.pass(format!("{subject} has no registry policy.")),
            Ok(Some(policy)) => match cross_account::untrusted(ctx, policy) {
                Ok(None) => finding.pass(format!("{subject} has a registry policy that names only trusted accounts.")),
                Ok(Some(who)) => {
                    finding.fail(format!("{subject} has a registry policy granting untrusted accounts: {who}."))
                }
                Err(err) => finding.error(format!("Could not evaluate the registry policy of {subject}: {err}")),
            },
            Err(why) => finding.error(format!("Could not read the registry policy of {subject}: {why}")),
        }
    }
}
