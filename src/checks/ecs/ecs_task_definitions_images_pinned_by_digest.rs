//! Every container image is pinned by digest, so what runs is what was reviewed.

use super::containers::per_container;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::image::reference::parse;
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_images_pinned_by_digest", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    per_container(
        definition,
        |container| match parse(&container.image) {
            Ok(image) if image.is_pinned_by_digest() => None,
            Ok(image) => Some(format!(
                "uses image {} by {}, not by digest",
                container.image,
                image.tag.map_or_else(|| "the implicit tag latest".to_owned(), |tag| format!("tag {tag}"))
            )),
            Err(err) => Some(format!("has an image reference that cannot be read: {err}")),
        },
        "every image is pinned by a sha256 digest.",
    )
}
