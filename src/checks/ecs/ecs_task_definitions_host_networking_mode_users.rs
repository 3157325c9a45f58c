//! Host network mode only with containers that are privileged or run as a
//! named non-root user (FSBP ECS.1's rule).

use super::runs_as_root;
use super::task_definition_scope::{self, Judgement, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_task_definitions_host_networking_mode_users", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    task_definition_scope::evaluate(ctx, out, |definition| {
        let mode = definition.network_mode.as_deref().unwrap_or("bridge (default)");
        if definition.network_mode.as_deref() != Some("host") {
            return Judgement::Pass(format!("network mode is {mode}, not host."));
        }
        let offending: Vec<String> = definition
            .containers
            .iter()
            .filter(|container| container.privileged != Some(true) && runs_as_root(container.user.as_deref()))
            .map(|container| container.name.clone())
            .collect();
        if offending.is_empty() {
            Judgement::Pass(
                "uses host network mode, and every container names a non-root user or is privileged.".into(),
            )
        } else {
            Judgement::Fail(format!(
                "uses host network mode with non-privileged containers running as root (no user, root or 0): {}.",
                offending.join(", ")
            ))
        }
    });
}
