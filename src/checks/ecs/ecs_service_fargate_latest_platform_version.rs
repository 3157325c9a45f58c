//! Fargate services run on the latest platform version (FSBP ECS.10).

use crate::checks::{Check, Context, Judgement, Scope, Verdict, fail, pass};
use crate::inventory::ecs::EcsService;

pub const CHECK: Check =
    Check { id: "ecs_service_fargate_latest_platform_version", scope: Scope::Services(judge), reads: &[] };

/// The latest Fargate platform versions (AWS Fargate platform versions page).
pub const LATEST_LINUX: &str = "1.4.0";
pub const LATEST_WINDOWS: &str = "1.0.0";

fn judge(_: &Context<'_>, service: &EcsService) -> Verdict {
    if !service.on_fargate() {
        return Ok(Judgement::NotApplicable);
    }
    let windows = service.platform_family.as_deref().is_some_and(|family| family.starts_with("WINDOWS"));
    let latest = if windows { LATEST_WINDOWS } else { LATEST_LINUX };
    match service.platform_version.as_deref() {
        // AWS resolves an unset version to LATEST.
        None | Some("LATEST") => pass("runs on Fargate platform version LATEST."),
        Some(version) if version == latest => pass(format!("runs on Fargate platform version {version}, the latest.")),
        Some(version) => fail(format!(
            "runs on Fargate platform version {version}; the latest {} version is {latest}.",
            if windows { "Windows" } else { "Linux" }
        )),
    }
}
