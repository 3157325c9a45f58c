//! Task sets do not give their tasks public IP addresses (FSBP ECS.16).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecs::{EcsService, TaskSet};

pub const CHECK: Check = Check { id: "ecs_task_set_no_assign_public_ip", scope: Scope::TaskSets(judge), reads: &[] };

fn judge(_: &Context<'_>, _: &EcsService, set: &TaskSet) -> Verdict {
    match set.assign_public_ip.as_deref() {
        Some("ENABLED") => fail("assigns public IP addresses to its tasks (assignPublicIp ENABLED)."),
        Some(setting) => pass(format!("does not assign public IP addresses (assignPublicIp {setting}).")),
        None => pass("does not assign public IP addresses (no awsvpc assignPublicIp setting)."),
    }
}
