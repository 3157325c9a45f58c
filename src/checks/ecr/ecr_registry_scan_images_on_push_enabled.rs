//! One finding per region's private registry: PASS when a scanning rule
//! (basic scan on push, enhanced on-push or continuous) covers every
//! repository (filter `*`).

use crate::checks::{Check, Context, Read, Registry, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;

pub const CHECK: Check = Check {
    id: "ecr_registry_scan_images_on_push_enabled",
    scope: Scope::Registries(judge),
    reads: &[ResourceKind::EcrRegistryScanning],
};

fn judge(_: &Context<'_>, registry: &Registry<'_>) -> Verdict {
    let subject = registry.describe();
    let scanning = registry.ecr.registry_scanning.read(format_args!("the scanning configuration of {subject}"))?;
    let scanning_rules: Vec<_> = scanning
        .rules
        .iter()
        .filter(|rule| matches!(rule.scan_frequency.as_str(), "SCAN_ON_PUSH" | "CONTINUOUS_SCAN"))
        .collect();
    // Enhanced scanning is Amazon Inspector's (inspector2_is_enabled judges that it is on).
    let kind = match scanning.scan_type.as_str() {
        "ENHANCED" => "ENHANCED (Amazon Inspector)",
        other => other,
    };
    if let Some(rule) = scanning_rules.iter().find(|rule| rule.repository_filters.iter().any(|filter| filter == "*")) {
        pass(format!("{subject} has {kind} scanning with the frequency {} for every repository.", rule.scan_frequency))
    } else if scanning_rules.is_empty() {
        fail(format!("{subject} has {kind} scanning with no scan-on-push or continuous rule."))
    } else {
        let filters: Vec<String> =
            scanning_rules.iter().flat_map(|rule| rule.repository_filters.iter().cloned()).collect();
        fail(format!(
            "{subject} has {kind} scanning only for repositories matching {}: other repositories are not scanned on push.",
            filters.join(", ")
        ))
    }
}
