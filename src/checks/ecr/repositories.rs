//! The walk every per-repository ECR check shares: each region's repository
//! listing, or one ERROR for the region when the listing failed.

use crate::checks::{Context, Findings};
use crate::inventory::ecr::Repository;

pub fn each(ctx: &Context<'_>, out: &mut Findings<'_>, mut judge: impl FnMut(&str, &Repository, &mut Findings<'_>)) {
    for (region, inventory) in &ctx.account.regions {
        match inventory.ecr.repositories.get() {
            Ok(repositories) => {
                for repository in repositories {
                    judge(region, repository, out);
                }
            }
            Err(why) => out.scope_error("ecr", region, "repository/*", why),
        }
    }
}
