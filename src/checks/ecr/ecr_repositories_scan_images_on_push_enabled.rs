//! Repositories whose images are not scanned when pushed: neither the
//! repository's own scan-on-push setting nor a registry scanning rule
//! (basic scan on push, or enhanced continuous / on-push scanning) applies.

use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::ecr::Repository;

pub const CHECK: Check = Check {
    id: "ecr_repositories_scan_images_on_push_enabled",
    scope: Scope::Repositories(judge),
    reads: &[ResourceKind::EcrRepositoryScanning],
};

fn judge(_: &Context<'_>, repository: &Repository) -> Verdict {
    let subject = format!("Repository {}", repository.name);
    let own_setting = || pass(format!("{subject} has scan on push enabled in its own image scanning configuration."));
    let scanning = match repository.scanning.read(format_args!("the effective scanning configuration of {subject}")) {
        Ok(scanning) => scanning,
        // The repository's own setting, from the listing, settles it without the effective one.
        Err(_) if repository.scan_on_push => return own_setting(),
        Err(unknown) => return Err(unknown),
    };
    let frequency = scanning.scan_frequency.as_deref().unwrap_or("MANUAL");
    if matches!(frequency, "SCAN_ON_PUSH" | "CONTINUOUS_SCAN") {
        let filters = if scanning.applied_filters.is_empty() {
            String::new()
        } else {
            format!(" (registry rule filter {})", scanning.applied_filters.join(", "))
        };
        // CONTINUOUS_SCAN exists only under enhanced scanning, which Amazon Inspector does.
        let by = if frequency == "CONTINUOUS_SCAN" { " by Amazon Inspector (enhanced scanning)" } else { "" };
        pass(format!("{subject} is scanned with frequency {frequency}{by}{filters}."))
    } else if repository.scan_on_push || scanning.scan_on_push {
        own_setting()
    } else {
        fail(format!(
            "{subject} is not scanned on push: scan on push is off and no registry scanning rule applies to it (frequency {frequency})."
        ))
    }
}
