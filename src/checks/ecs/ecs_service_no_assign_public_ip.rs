//! Services do not give their tasks public IP addresses (FSBP ECS.2).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecs::EcsService;

pub const CHECK: Check = Check { id: "ecs_service_no_assign_public_ip", scope: Scope::Services(judge), reads: &[] };

fn judge(_: &Context<'_>, service: &EcsService) -> Verdict {
    match service.assign_public_ip.as_deref() {
        Some("ENABLED") => fail("assigns public IP addresses to its tasks (assignPublicIp: ENABLED)."),
        Some(setting) => pass(format!("does not assign public IP addresses (assignPublicIp: {setting}).")),
        None => pass("does not assign public IP addresses (no awsvpc public IP setting)."),
    }
}
