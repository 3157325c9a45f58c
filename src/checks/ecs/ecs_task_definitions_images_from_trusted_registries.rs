//! Every container image comes from ECR in the audited account or from a
//! registry on the configured trust list (`trusted_registries`).

use super::task_definition_scope::{self, NEEDS, per_container};
use crate::checks::{Check, Context, Findings};
use crate::rules::image_reference::{is_trusted, parse};

pub const CHECK: Check = Check { id: "ecs_task_definitions_images_from_trusted_registries", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let accounts = [ctx.account.account_id.as_str()];
    let trusted = &ctx.config.trusted_registries;
    task_definition_scope::evaluate(ctx, out, |definition| {
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
    });
}
