//! The task does not share the host's process or IPC namespace (FSBP ECS.3).

use super::task_definition_scope::{self, Judgement, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_task_definitions_host_namespace_not_shared", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    task_definition_scope::evaluate(ctx, out, |definition| {
        let mut shared = Vec::new();
        if definition.pid_mode.as_deref() == Some("host") {
            shared.push("process namespace (pidMode: host)");
        }
        if definition.ipc_mode.as_deref() == Some("host") {
            shared.push("IPC namespace (ipcMode: host)");
        }
        if shared.is_empty() {
            Judgement::Pass("shares neither the host's process nor its IPC namespace.".to_owned())
        } else {
            Judgement::Fail(format!("shares the host's {}.", shared.join(" and ")))
        }
    });
}
