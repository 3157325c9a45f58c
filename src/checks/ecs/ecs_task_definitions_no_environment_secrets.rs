//! No secret in plain `environment` values (FSBP ECS.8). Findings name the
//! variable and the kind of secret, never the value.

use super::containers::per_container;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ecs::TaskDefinition;
use crate::secrets::detect;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_no_environment_secrets", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    per_container(
        definition,
        |container| {
            let found: Vec<String> = container
                .environment
                .iter()
                .filter_map(|variable| {
                    detect(&variable.name, &variable.value)
                        .map(|kind| format!("{} ({})", variable.name, kind.describe()))
                })
                .collect();
            (!found.is_empty())
                .then(|| format!("has what looks like a secret in plain environment variable(s) {}", found.join(", ")))
        },
        "no plain environment variable looks like a secret.",
    )
}
