//! One finding per region's private registry: PASS when a scanning rule
//! (basic scan on push, enhanced on-push or continuous) covers every
//! repository (filter `*`).

use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "ecr_registry_scan_images_on_push_enabled", needs: &[ResourceKind::EcrRegistryScanning], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let account = ctx.account;
    for (region, inventory) in &account.regions {
        let arn = account.arn("ecr", region, "registry");
        let subject = format!("Registry {} in {region}", account.account_id);
        let scanning = match inventory.ecr.registry_scanning.get() {
            Ok(scanning) => scanning,
            Err(why) => {
                out.resource(region, &account.account_id, arn)
                    .error(format!("Could not read the scanning configuration of {subject}: {why}"));
                continue;
            }
        };
        let scanning_rules: Vec<_> = scanning
            .rules
            .iter()
            .filter(|rule| matches!(rule.scan_frequency.as_str(), "SCAN_ON_PUSH" | "CONTINUOUS_SCAN"))
            .collect();
        let finding = out.resource(region, &account.account_id, arn);
        let kind = &scanning.scan_type;
        if let Some(rule) =
            scanning_rules.iter().find(|rule| rule.repository_filters.iter().any(|filter| filter == "*"))
        {
            finding.pass(format!(
                "{subject} has {kind} scanning with a {} rule for every repository.",
                rule.scan_frequency
            ));
        } else if scanning_rules.is_empty() {
            finding.fail(format!("{subject} has {kind} scanning with no scan-on-push or continuous rule."));
        } else {
            let filters: Vec<String> =
                scanning_rules.iter().flat_map(|rule| rule.repository_filters.iter().cloned()).collect();
            finding.fail(format!(
                "{subject} has {kind} scanning only for repositories matching {}: other repositories are not scanned on push.",
                filters.join(", ")
            ));
        }
    }
}
