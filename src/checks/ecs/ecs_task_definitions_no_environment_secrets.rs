//! No secret in plain `environment` values (FSBP ECS.8), as the secret
//! detector judged each value when it was collected (the inventory keeps
//! the verdict, not the value). Findings name the variable and the kind of
//! secret.

use super::containers::per_container;
use crate::checks::{Check, Context, Scope, Verdict};
use crate::inventory::ecs::TaskDefinition;

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
                    variable.secret.as_ref().map(|found| format!("{} ({})", variable.name, found.rule.describe()))
                })
                .collect();
            (!found.is_empty())
                .then(|| format!("has what looks like a secret in plain environment variable(s) {}", found.join(", ")))
        },
        "no plain environment variable looks like a secret.",
    )
}
