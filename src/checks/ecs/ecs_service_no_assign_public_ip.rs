//! Services do not give their tasks public IP addresses (FSBP ECS.2).

use super::service_scope::{self, Judgement, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_service_no_assign_public_ip", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    service_scope::evaluate(ctx, out, |service| match service.assign_public_ip.as_deref() {
        Some("ENABLED") => {
            Judgement::Fail("assigns public IP addresses to its tasks (assignPublicIp: ENABLED).".into())
        }
        Some(setting) => Judgement::Pass(format!("does not assign public IP addresses (assignPublicIp: {setting}).")),
        None => Judgement::Pass("does not assign public IP addresses (no awsvpc public IP setting).".into()),
    });
}
