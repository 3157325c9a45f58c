//! Every container runs as a non-root user: the task definition's `user`,
//! or, when it sets none, the `USER` of the image as read from the
//! account's own ECR. The message says which one decided.

use super::containers::runs_as_root;
use crate::checks::{Check, Context, Scope, Verdict, fail, pass, unknown};
use crate::inventory::ResourceKind;
use crate::inventory::ecs::{Container, TaskDefinition};
use crate::inventory::image_configs::platform_of;
use crate::rules::image_reference::parse;

pub const CHECK: Check = Check {
    id: "ecs_task_definitions_containers_non_root_user",
    scope: Scope::TaskDefinitions(judge),
    reads: &[ResourceKind::EcrImageConfigs],
};

/// One container's user, and what decided it.
enum Decision {
    NonRoot(String),
    Root(String),
    Unknown(String),
}

fn judge(ctx: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    let decisions: Vec<(&Container, Decision)> =
        definition.containers.iter().map(|container| (container, decide(ctx, definition, container))).collect();
    let said = |wanted: fn(&Decision) -> Option<&String>| -> Vec<String> {
        decisions
            .iter()
            .filter_map(|(container, decision)| {
                wanted(decision).map(|why| format!("container {} {why}", container.name))
            })
            .collect()
    };
    let root = said(|decision| if let Decision::Root(why) = decision { Some(why) } else { None });
    let open = said(|decision| if let Decision::Unknown(why) = decision { Some(why) } else { None });
    let non_root = said(|decision| if let Decision::NonRoot(why) = decision { Some(why) } else { None });
    if !root.is_empty() {
        let mut message = format!("{}.", root.join("; "));
        if !open.is_empty() {
            message.push_str(&format!(" Not known for the others: {}.", open.join("; ")));
        }
        fail(message)
    } else if !open.is_empty() {
        unknown(format!("{}.", open.join("; ")))
    } else if non_root.is_empty() {
        pass("has no containers.")
    } else {
        pass(format!("every container runs as a non-root user: {}.", non_root.join("; ")))
    }
}

fn decide(ctx: &Context<'_>, definition: &TaskDefinition, container: &Container) -> Decision {
    match container.user.as_deref().map(str::trim) {
        Some(user) if !user.is_empty() => {
            return if runs_as_root(Some(user)) {
                Decision::Root(format!("runs as {user} (its task definition's user)"))
            } else {
                Decision::NonRoot(format!("runs as {user} (its task definition's user)"))
            };
        }
        _ => {}
    }
    let own_ecr = parse(&container.image)
        .ok()
        .and_then(|reference| reference.ecr_registry())
        .is_some_and(|ecr| ecr.account_id == ctx.account.account_id);
    if !own_ecr {
        return Decision::Root(format!(
            "sets no user, so it runs as its image's default user, root unless the image sets USER; the image ({}) is not in this account's ECR, so bulkhead did not read it",
            container.image
        ));
    }
    let images = match ctx.account.registry_images.get() {
        Ok(images) => images,
        Err(why) => return Decision::Unknown(format!("sets no user and its image could not be read: {why}")),
    };
    let platform = platform_of(definition).to_string();
    let Some(image) = images.iter().find(|image| image.is_named_by(&container.image, &platform)) else {
        return Decision::Unknown(format!("sets no user and its image {} was not read", container.image));
    };
    match image.config.get() {
        Err(why) => Decision::Unknown(format!("sets no user and its image {} could not be read: {why}", image.id)),
        Ok(config) => match config.user.as_deref() {
            None => Decision::Root(format!(
                "sets no user and its image {} sets no USER either (the image's config decided: root)",
                image.id
            )),
            Some(user) if runs_as_root(Some(user)) => Decision::Root(format!(
                "sets no user and its image {} sets USER {user} (the image's config decided)",
                image.id
            )),
            Some(user) => Decision::NonRoot(format!(
                "runs as {user} (no user in the task definition; the image {}'s USER decided)",
                image.id
            )),
        },
    }
}
