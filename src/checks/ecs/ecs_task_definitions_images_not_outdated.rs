//! No image the task definitions run was built longer ago than
//! `image_max_age_days` (its config's `created`): an old build carries a
//! base image and packages that nobody has patched since.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::image_configs::{ImageConfig, RegistryImage};

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_images_not_outdated", scope: Scope::RegistryImages(judge), reads: &[] };

fn judge(ctx: &Context<'_>, _: &RegistryImage, config: &ImageConfig) -> Verdict {
    let max_days = ctx.config.image_max_age_days;
    let Some(created) = config.created else {
        return fail(format!(
            "has no creation date in its config, so it cannot be shown to be under {max_days} days old."
        ));
    };
    let age_days = ctx.now.duration_since(created).as_secs() / 86_400;
    let date = created.strftime("%Y-%m-%d");
    if age_days > i64::from(max_days) {
        fail(format!(
            "was built on {date}, {age_days} days ago: older than the {max_days} days allowed (image_max_age_days). \
             A reproducible build may set created to its source date; rebuild on a current base either way."
        ))
    } else {
        pass(format!("was built on {date}, {age_days} days ago (at most {max_days} allowed)."))
    }
}
