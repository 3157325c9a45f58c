//! Every container image comes from ECR in the audited account or from a
//! registry on the configured trust list (`trusted_registries`).

use super::containers::per_container;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::image::reference::{is_trusted, parse};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check = Check {
    id: "ecs_task_definitions_images_from_trusted_registries",
    scope: Scope::TaskDefinitions(judge),
    reads: &[],
};

fn judge(ctx: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    let accounts = [ctx.account.account_id.as_str()];
    let trusted = &ctx.config.trusted_registries;
    per_container(
        definition,
        |container| match parse(&container.image) {
            Ok(image) if is_trusted(&image, &accounts, trusted) => None,
            Ok(image) => {
                Some(format!("pulls {} from {}, which is not a trusted registry", container.image, image.registry))
            }
            Err(err) => Some(format!("has an image reference that cannot be read: {err}")),
        },
        "every image comes from ECR in this account or a trusted registry.",
    )
}
