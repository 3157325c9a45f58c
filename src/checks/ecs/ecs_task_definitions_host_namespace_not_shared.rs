//! The task does not share the host's process or IPC namespace (FSBP ECS.3).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecs::TaskDefinition;

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_host_namespace_not_shared", scope: Scope::TaskDefinitions(judge), reads: &[] };

fn judge(_: &Context<'_>, definition: &TaskDefinition) -> Verdict {
    let mut shared = Vec::new();
    if definition.pid_mode.as_deref() == Some("host") {
        shared.push("process namespace (pidMode: host)");
    }
    if definition.ipc_mode.as_deref() == Some("host") {
        shared.push("IPC namespace (ipcMode: host)");
    }
    if shared.is_empty() {
        pass("shares neither the host's process nor its IPC namespace.")
    } else {
        fail(format!("shares the host's {}.", shared.join(" and ")))
    }
}
