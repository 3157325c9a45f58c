//! Repositories whose image tags can be overwritten.

use super::repositories;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "ecr_repositories_tag_immutability", needs: &[ResourceKind::EcrRepositories], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    repositories::each(ctx, out, |region, repository, out| {
        let finding = out.resource(region, &repository.name, &repository.arn);
        let subject = format!("Repository {}", repository.name);
        match repository.tag_mutability.as_str() {
            "IMMUTABLE" => finding.pass(format!("{subject} has immutable image tags.")),
            "IMMUTABLE_WITH_EXCLUSION" => finding
                .pass(format!("{subject} has immutable image tags, except for the tags its exclusion filters name.")),
            other => finding.fail(format!(
                "{subject} has mutable image tags ({other}): pushing an existing tag replaces the image it names."
            )),
        }
    });
}
