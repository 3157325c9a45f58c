//! Every container runs as a non-root user: the task definition's `user`,
//! or, when it sets none, the `USER` of the image as read from the
//! account's own ECR. The message says which one decided.

use super::containers::runs_as_root;
use crate::checks::verdict::{Parts, reword};
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::image::reference::parse;
use crate::inventory::ResourceKind;
use crate::inventory::ecs::{Container, TaskDefinition};
use crate::inventory::image_configs::platform_of;
use crate::severity::Status;

pub const CHECK: Check = Check {
    id: "ecs_task_definitions_containers_non_root_user",
    scope: Scope::TaskDefinitions(judge),
    reads: &[ResourceKind::EcrImageConfigs],
};

fn judge(ctx: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    let parts: Parts = definition
        .containers
        .iter()
        .map(|container| {
            let said = |why: String| format!("container {} {why}", container.name);
            reword(decide(ctx, definition, container), said, said)
        })
        .collect();
    match parts.every() {
        Status::Fail if parts.unknown.is_empty() => fail(format!("{}.", parts.failed.join("; "))),
        Status::Fail => {
            fail(format!("{}. Not known for the others: {}.", parts.failed.join("; "), parts.unknown.join("; ")))
        }
        Status::Error => unknown(format!("{}.", parts.unknown.join("; "))),
        Status::Pass if parts.passed.is_empty() => pass("has no containers."),
        Status::Pass => pass(format!("every container runs as a non-root user: {}.", parts.passed.join("; "))),
    }
}

/// One container's user, and what decided it: PASS a non-root user, FAIL
/// root.
fn decide(ctx: &Context<'_>, definition: &TaskDefinition, container: &Container) -> Verdict {
    match container.user.as_deref().map(str::trim) {
        Some(user) if !user.is_empty() => {
            return if runs_as_root(Some(user)) {
                fail(format!("runs as {user} (its task definition's user)"))
            } else {
                pass(format!("runs as {user} (its task definition's user)"))
            };
        }
        _ => {}
    }
    let own_ecr = parse(&container.image)
        .ok()
        .and_then(|reference| reference.ecr_registry())
        .is_some_and(|ecr| ecr.account_id == ctx.account.account_id);
    if !own_ecr {
        return fail(format!(
            "sets no user, so it runs as its image's default user, root unless the image sets USER; the image ({}) is not in this account's ECR, so bulkhead did not read it",
            container.image
        ));
    }
    let images = match ctx.account.registry_images.get() {
        Ok(images) => images,
        Err(why) => return unknown(format!("sets no user and its image could not be read: {why}")),
    };
    let platform = platform_of(definition).to_string();
    let Some(image) = images.iter().find(|image| image.is_named_by(&container.image, &platform)) else {
        return unknown(format!("sets no user and its image {} was not read", container.image));
    };
    match image.config.get() {
        Err(why) => unknown(format!("sets no user and its image {} could not be read: {why}", image.id)),
        Ok(config) => match config.user.as_deref() {
            None => fail(format!(
                "sets no user and its image {} sets no USER either (the image's config decided: root)",
                image.id
            )),
            Some(user) if runs_as_root(Some(user)) => {
                fail(format!("sets no user and its image {} sets USER {user} (the image's config decided)", image.id))
            }
            Some(user) => {
                pass(format!("runs as {user} (no user in the task definition; the image {}'s USER decided)", image.id))
            }
        },
    }
}
