//! Fargate services run on the latest platform version (FSBP ECS.10).

use super::service_scope::{self, Judgement, NEEDS};
use crate::checks::{Check, Context, Findings};

pub const CHECK: Check = Check { id: "ecs_service_fargate_latest_platform_version", needs: NEEDS, evaluate };

/// The latest Fargate platform versions (AWS Fargate platform versions page).
pub const LATEST_LINUX: &str = "1.4.0";
pub const LATEST_WINDOWS: &str = "1.0.0";

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    service_scope::evaluate(ctx, out, |service| {
        if !service.on_fargate() {
            return Judgement::NotApplicable;
        }
        let windows = service.platform_family.as_deref().is_some_and(|family| family.starts_with("WINDOWS"));
        let latest = if windows { LATEST_WINDOWS } else { LATEST_LINUX };
        match service.platform_version.as_deref() {
            // AWS resolves an unset version to LATEST.
            None | Some("LATEST") => Judgement::Pass("runs on Fargate platform version LATEST.".into()),
            Some(version) if version == latest => {
                Judgement::Pass(format!("runs on Fargate platform version {version}, the latest."))
            }
            Some(version) => Judgement::Fail(format!(
                "runs on Fargate platform version {version}; the latest {} version is {latest}.",
                if windows { "Windows" } else { "Linux" }
            )),
        }
    });
}
