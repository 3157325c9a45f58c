//! What a scan will do, decided before any AWS call where possible: which
//! checks, what they need collected, and which regions.

use std::collections::BTreeSet;

use crate::checks::Check;
use crate::checks::registry::{self, CHECKS};
use crate::inventory::ResourceKind;
use crate::inventory::ec2::RegionStatus;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("unknown check id {0:?} (run `bulkhead checks` to list them)")]
    UnknownCheck(String),
    #[error("no checks are left to run after --checks/--exclude-checks")]
    NoChecks,
    #[error("region {0:?} is not enabled for this account (or does not exist)")]
    RegionNotEnabled(String),
    #[error("no regions are left to scan after --regions/--exclude-regions")]
    NoRegions,
}

#[derive(Debug, Clone, Default)]
pub struct CheckSelection {
    pub include: Option<Vec<String>>,
    pub exclude: Vec<String>,
}

pub fn select_checks(selection: &CheckSelection) -> Result<Vec<&'static Check>, PlanError> {
    let known = |id: &String| registry::find(id).ok_or_else(|| PlanError::UnknownCheck(id.clone()));
    let include: Option<BTreeSet<&str>> = selection
        .include
        .as_ref()
        .map(|ids| ids.iter().map(|id| known(id).map(|check| check.id)).collect::<Result<_, _>>())
        .transpose()?;
    let exclude: BTreeSet<&str> =
        selection.exclude.iter().map(|id| known(id).map(|check| check.id)).collect::<Result<_, _>>()?;
    let selected: Vec<&'static Check> = CHECKS
        .iter()
        .filter(|check| include.as_ref().is_none_or(|include| include.contains(check.id)))
        .filter(|check| !exclude.contains(check.id))
        .collect();
    if selected.is_empty() {
        return Err(PlanError::NoChecks);
    }
    Ok(selected)
}

pub fn needs(checks: &[&Check]) -> BTreeSet<ResourceKind> {
    checks.iter().flat_map(|check| check.needs.iter().copied()).collect()
}

#[derive(Debug, Clone, Default)]
pub struct RegionSelection {
    pub include: Option<Vec<String>>,
    pub exclude: Vec<String>,
}

/// Refuses a selection that leaves nothing whatever the account has: caught
/// before any AWS call.
pub fn check_region_selection(selection: &RegionSelection) -> Result<(), PlanError> {
    match &selection.include {
        Some(include) if include.iter().all(|region| selection.exclude.contains(region)) => Err(PlanError::NoRegions),
        _ => Ok(()),
    }
}

/// The partition a region name belongs to.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

/// The regions to scan: the account's enabled regions in its partition, or
/// those asked for (which must be enabled), less the excluded ones.
pub fn resolve_regions(
    discovered: &[RegionStatus],
    partition: &str,
    selection: &RegionSelection,
) -> Result<Vec<String>, PlanError> {
    let enabled: BTreeSet<&str> = discovered
        .iter()
        .filter(|region| region.enabled && partition_of_region(&region.name) == partition)
        .map(|region| region.name.as_str())
        .collect();
    let chosen: BTreeSet<String> = match &selection.include {
        Some(include) => {
            for region in include {
                if !enabled.contains(region.as_str()) {
                    return Err(PlanError::RegionNotEnabled(region.clone()));
                }
            }
            include.iter().cloned().collect()
        }
        None => enabled.iter().map(|region| region.to_string()).collect(),
    };
    let regions: Vec<String> = chosen.into_iter().filter(|region| !selection.exclude.contains(region)).collect();
    if regions.is_empty() {
        return Err(PlanError::NoRegions);
    }
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(name: &str, enabled: bool) -> RegionStatus {
        RegionStatus { name: name.into(), enabled }
    }

    #[test]
    fn scans_enabled_regions_of_the_partition() {
        let discovered = [
            status("us-east-1", true),
            status("ap-east-1", false),
            status("eu-west-1", true),
            status("cn-north-1", true),
        ];
        let regions = resolve_regions(&discovered, "aws", &RegionSelection::default()).unwrap();
        assert_eq!(regions, ["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn include_and_exclude() {
        let discovered = [status("us-east-1", true), status("eu-west-1", true), status("ap-east-1", false)];
        let selection = RegionSelection {
            include: Some(vec!["eu-west-1".into(), "us-east-1".into()]),
            exclude: vec!["us-east-1".into()],
        };
        assert_eq!(resolve_regions(&discovered, "aws", &selection).unwrap(), ["eu-west-1"]);
        let opt_in = RegionSelection { include: Some(vec!["ap-east-1".into()]), exclude: vec![] };
        assert_eq!(resolve_regions(&discovered, "aws", &opt_in), Err(PlanError::RegionNotEnabled("ap-east-1".into())));
        let nothing = RegionSelection { include: None, exclude: vec!["us-east-1".into(), "eu-west-1".into()] };
        assert_eq!(resolve_regions(&discovered, "aws", &nothing), Err(PlanError::NoRegions));
    }

    #[test]
    fn checks_are_selected_by_id_and_need_only_their_data() {
        let selection =
            CheckSelection { include: Some(vec!["ec2_networkacl_allow_ingress_tcp_port_22".into()]), exclude: vec![] };
        let checks = select_checks(&selection).unwrap();
        assert_eq!(checks.len(), 1);
        assert_eq!(needs(&checks), BTreeSet::from([ResourceKind::Ec2NetworkAcls]));
        let unknown = CheckSelection { include: Some(vec!["nope".into()]), exclude: vec![] };
        assert_eq!(select_checks(&unknown).unwrap_err(), PlanError::UnknownCheck("nope".into()));
    }
}
