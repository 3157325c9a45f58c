//! Repositories whose image tags can be overwritten.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecr::Repository;

pub const CHECK: Check =
    Check { id: "ecr_repositories_tag_immutability", scope: Scope::Repositories(judge), reads: &[] };

fn judge(_: &Context<'_>, repository: &Repository) -> Verdict {
    let subject = format!("Repository {}", repository.name);
    match repository.tag_mutability.as_str() {
        "IMMUTABLE" => pass(format!("{subject} has immutable image tags.")),
        "IMMUTABLE_WITH_EXCLUSION" => {
            pass(format!("{subject} has immutable image tags, except for the tags its exclusion filters name."))
        }
        other => fail(format!(
            "{subject} has mutable image tags ({other}): pushing an existing tag replaces the image it names."
        )),
    }
}
