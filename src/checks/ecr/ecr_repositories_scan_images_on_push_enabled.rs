//! Repositories whose images are not scanned when pushed: neither the
//! repository's own scan-on-push setting nor a registry scanning rule
//! (basic scan on push, or enhanced continuous / on-push scanning) applies.

use super::repositories;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check = Check {
    id: "ecr_repositories_scan_images_on_push_enabled",
    needs: &[ResourceKind::EcrRepositories, ResourceKind::EcrRepositoryScanning],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    repositories::each(ctx, out, |region, repository, out| {
        let finding = out.resource(region, &repository.name, &repository.arn);
        let subject = format!("Repository {}", repository.name);
        let scanning = match repository.scanning.get() {
            Ok(scanning) => scanning,
            Err(_) if repository.scan_on_push => {
                finding.pass(format!("{subject} has scan on push enabled in its own image scanning configuration."));
                return;
            }
            Err(why) => {
                finding.error(format!("Could not read the effective scanning configuration of {subject}: {why}"));
                return;
            }
        };
        let frequency = scanning.scan_frequency.as_deref().unwrap_or("MANUAL");
        if matches!(frequency, "SCAN_ON_PUSH" | "CONTINUOUS_SCAN") {
            let filters = if scanning.applied_filters.is_empty() {
                String::new()
            } else {
                format!(" (registry rule filter {})", scanning.applied_filters.join(", "))
            };
            finding.pass(format!("{subject} is scanned with frequency {frequency}{filters}."));
        } else if repository.scan_on_push || scanning.scan_on_push {
            finding.pass(format!("{subject} has scan on push enabled in its own image scanning configuration."));
        } else {
            finding.fail(format!(
                "{subject} is not scanned on push: scan on push is off and no registry scanning rule applies to it (frequency {frequency})."
            ));
        }
    });
}
