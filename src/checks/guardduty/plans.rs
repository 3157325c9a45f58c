//! How the GuardDuty checks read a region's detectors: the region passes
//! when one enabled detector has what the check asks for.

use crate::checks::{Read, Verdict, fail, pass};
use crate::inventory::guardduty::{Detector, DetectorDetails};

/// Judges the region by its detectors: no detector or only disabled ones
/// FAIL; else `plan` judges each enabled detector's details (`Ok(message)`
/// has it, `Err(message)` lacks it), and one that has it is enough.
pub fn judge(detectors: &[Detector], plan: impl Fn(&DetectorDetails) -> Result<String, String>) -> Verdict {
    if detectors.is_empty() {
        return fail("has no detector: GuardDuty is off in this region.");
    }
    let mut lacking = Vec::new();
    for detector in detectors {
        let details = detector.details.read(format_args!("detector {}", detector.id))?;
        if !details.is_enabled() {
            let status = details.status.as_deref().unwrap_or("no status");
            lacking.push(format!("detector {} is {status}", detector.id));
            continue;
        }
        match plan(details) {
            Ok(has) => return pass(format!("has detector {} enabled, {has}.", detector.id)),
            Err(lacks) => lacking.push(format!("detector {} {lacks}", detector.id)),
        }
    }
    fail(format!("has no detector that watches for it: {}.", lacking.join("; ")))
}

/// A feature's status in words, for what a detector lacks.
pub fn feature_status(details: &DetectorDetails, name: &str) -> String {
    match details.feature(name).and_then(|feature| feature.status.as_deref()) {
        Some(status) => format!("has {name} {status}"),
        None => format!("does not report {name}"),
    }
}

/// Runtime monitoring with its automated agent for `agent` (the additional
/// configuration's name), either through `RUNTIME_MONITORING` or through
/// the older `legacy` feature.
pub fn runtime_with_agent(details: &DetectorDetails, legacy: Option<&str>, agent: &str) -> Result<String, String> {
    let plans = std::iter::once("RUNTIME_MONITORING").chain(legacy);
    let mut seen = Vec::new();
    for name in plans {
        let Some(feature) = details.feature(name).filter(|feature| feature.is_enabled()) else {
            seen.push(feature_status(details, name));
            continue;
        };
        match feature.additional(agent) {
            Some("ENABLED") => return Ok(format!("with {name} and its automated agent ({agent}) on")),
            Some(status) => seen.push(format!("has {name} on but its automated agent {agent} {status}")),
            None => seen.push(format!("has {name} on but does not report {agent} (the agent is not managed)")),
        }
    }
    Err(seen.join(", "))
}
