//! No secret baked into an image the task definitions run: its config's
//! `Env` values and the `history[].created_by` line of every layer, as the
//! secret detector judged them when the config was read (the inventory
//! keeps the verdicts, not the values). The same detector as task
//! definition environments; findings name the variable or the history
//! step, never the value.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::image_configs::{ImageConfig, RegistryImage};

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_images_no_secrets_in_config", scope: Scope::RegistryImages(judge), reads: &[] };

fn judge(_: &Context<'_>, _: &RegistryImage, config: &ImageConfig) -> Verdict {
    let mut found: Vec<String> = config
        .env
        .iter()
        .filter_map(|variable| {
            variable
                .secret
                .as_ref()
                .map(|found| format!("environment variable {} ({})", variable.name, found.rule.describe()))
        })
        .collect();
    for (index, step) in config.history.iter().enumerate() {
        if let Some(secret) = &step.secret {
            found.push(format!("history step {} ({}: {})", index + 1, secret.location, secret.found.rule.describe()));
        }
    }
    if found.is_empty() {
        pass(format!(
            "has no secret-looking value in its config ({} environment variable(s), {} history step(s) read).",
            config.env.len(),
            config.history.len()
        ))
    } else {
        fail(format!(
            "has what looks like a secret baked into its config, readable by anyone who can pull it: {}.",
            found.join("; ")
        ))
    }
}
