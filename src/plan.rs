//! What a scan will do, decided before any AWS call where possible: which
//! checks, what they need collected, and which regions.

use std::collections::{BTreeMap, BTreeSet};

use crate::checks::Check;
use crate::checks::metadata::{CatalogEntry, Framework};
use crate::checks::registry::{self, CHECKS};
use crate::inventory::Needs;
use crate::inventory::ec2::RegionStatus;
use crate::severity::Severity;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("unknown check id {0:?} (run `bulkhead checks` to list them)")]
    UnknownCheck(String),
    #[error("no checks are left to run after --checks/--exclude-checks/--services/--severity/--compliance")]
    NoChecks,
    #[error("unknown service {name:?} (valid: {valid})")]
    UnknownService { name: String, valid: String },
    #[error("unknown compliance framework {name:?} (valid: {valid}; `bulkhead frameworks` lists them)")]
    UnknownFramework { name: String, valid: String },
    #[error("region {0:?} is not enabled for this account (or does not exist)")]
    RegionNotEnabled(String),
    #[error("no regions are left to scan after --regions/--exclude-regions")]
    NoRegions,
}

#[derive(Debug, Clone, Default)]
pub struct CheckSelection {
    pub include: Option<Vec<String>>,
    pub exclude: Vec<String>,
    /// Only checks of these services (`ecr`, `ec2`, ...).
    pub services: Option<Vec<String>>,
    /// Only checks of these severities.
    pub severities: Option<Vec<Severity>>,
    /// Only checks mapped to a control of this framework (`cis-aws-4.0.1`).
    pub compliance: Option<String>,
}

/// The checks to run: `--checks`/`--exclude-checks` by id, then narrowed by
/// service, severity and compliance framework (all of them must hold).
/// Pure: reads the registry, the catalogue and the frameworks given.
pub fn select_checks_in(
    selection: &CheckSelection,
    catalog: &BTreeMap<String, CatalogEntry>,
    frameworks: &[Framework],
) -> Result<Vec<&'static Check>, PlanError> {
    let by_id = select_checks(selection)?;
    let services: Option<BTreeSet<&str>> = match &selection.services {
        None => None,
        Some(names) => {
            let valid: BTreeSet<&str> = catalog.values().map(|entry| entry.service.as_str()).collect();
            for name in names {
                if !valid.contains(name.as_str()) {
                    return Err(PlanError::UnknownService {
                        name: name.clone(),
                        valid: valid.iter().copied().collect::<Vec<_>>().join(", "),
                    });
                }
            }
            Some(names.iter().map(String::as_str).collect())
        }
    };
    let mapped: Option<BTreeSet<&str>> = match &selection.compliance {
        None => None,
        Some(id) => {
            let framework =
                frameworks.iter().find(|framework| &framework.id == id).ok_or_else(|| PlanError::UnknownFramework {
                    name: id.clone(),
                    valid: frameworks.iter().map(|framework| framework.id.as_str()).collect::<Vec<_>>().join(", "),
                })?;
            Some(framework.controls.iter().flat_map(|control| control.checks.iter().map(String::as_str)).collect())
        }
    };
    let selected: Vec<&'static Check> = by_id
        .into_iter()
        .filter(|check| {
            let entry = catalog.get(check.id);
            let service_ok = services
                .as_ref()
                .is_none_or(|services| entry.is_some_and(|entry| services.contains(entry.service.as_str())));
            let severity_ok = selection
                .severities
                .as_ref()
                .is_none_or(|severities| entry.is_some_and(|entry| severities.contains(&entry.metadata.severity)));
            let compliance_ok = mapped.as_ref().is_none_or(|mapped| mapped.contains(check.id));
            service_ok && severity_ok && compliance_ok
        })
        .collect();
    if selected.is_empty() {
        return Err(PlanError::NoChecks);
    }
    Ok(selected)
}

/// Selection by id only (`--checks`/`--exclude-checks`).
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

/// What the checks need collected, with what that implies.
pub fn needs(checks: &[&Check]) -> Needs {
    Needs::of(checks.iter().flat_map(|check| check.needs()))
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
    use crate::inventory::ResourceKind;

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
        let selection = CheckSelection {
            include: Some(vec!["ec2_networkacl_allow_ingress_tcp_port_22".into()]),
            ..Default::default()
        };
        let checks = select_checks(&selection).unwrap();
        assert_eq!(checks.len(), 1);
        assert_eq!(needs(&checks), Needs::of([ResourceKind::Ec2NetworkAcls]));
        let unknown = CheckSelection { include: Some(vec!["nope".into()]), ..Default::default() };
        assert_eq!(select_checks(&unknown).unwrap_err(), PlanError::UnknownCheck("nope".into()));
    }

    fn select(selection: CheckSelection) -> Result<Vec<&'static str>, PlanError> {
        let catalog = crate::checks::metadata::catalog().unwrap();
        let frameworks: Vec<Framework> =
            crate::checks::metadata::frameworks().unwrap().into_iter().map(|(framework, _)| framework).collect();
        select_checks_in(&selection, &catalog, &frameworks).map(|checks| checks.iter().map(|check| check.id).collect())
    }

    #[test]
    fn selecting_one_service_collects_nothing_of_the_others() {
        let ec2_only = CheckSelection { services: Some(vec!["ec2".into()]), ..Default::default() };
        let catalog = crate::checks::metadata::catalog().unwrap();
        let checks = select_checks_in(&ec2_only, &catalog, &[]).unwrap();
        assert!(checks.iter().all(|check| check.id.starts_with("ec2_")));
        let needs = needs(&checks);
        assert!(
            needs.iter().all(|kind| format!("{kind:?}").starts_with("Ec2")),
            "EC2 checks alone must not make the planner call other services: {needs:?}"
        );
        assert!(!needs.wants(ResourceKind::EcrRepositories) && !needs.wants(ResourceKind::CloudTrailTrails));

        // ECR checks read only ECR, but the one judging images by what runs
        // them and what reaches those tasks (ECS, EC2, ELB), and those
        // judging the images in use, which the task definitions name (ECS).
        let ecr_only = CheckSelection { services: Some(vec!["ecr".into()]), ..Default::default() };
        let mut checks = select_checks_in(&ecr_only, &catalog, &[]).unwrap();
        let in_use = ["ecr_images_internet_exposed_no_vulnerabilities", "ecr_images_no_secrets_in_layers"];
        let selected = in_use.iter().filter(|id| checks.iter().any(|check| check.id == **id)).count();
        assert_eq!(selected, in_use.len(), "both image-in-use checks are ECR checks");
        checks.retain(|check| !matches!(check.scope, crate::checks::Scope::RegistryImages(_)) && check.id != in_use[0]);
        let needs = super::needs(&checks);
        assert!(needs.iter().all(|kind| format!("{kind:?}").starts_with("Ecr")), "{needs:?}");
    }

    #[test]
    fn services_severity_and_compliance_narrow_together() {
        let critical_high =
            CheckSelection { severities: Some(vec![Severity::High, Severity::Critical]), ..Default::default() };
        let catalog = crate::checks::metadata::catalog().unwrap();
        for id in select(critical_high).unwrap() {
            assert!(catalog[id].metadata.severity >= Severity::High, "{id}");
        }
        let cis = select(CheckSelection { compliance: Some("cis-aws-4.0.1".into()), ..Default::default() }).unwrap();
        assert!(cis.contains(&"ec2_securitygroup_default_restrict_traffic"));
        assert!(!cis.contains(&"ecr_images_signed"));
        let cloudtrail_cis = select(CheckSelection {
            compliance: Some("cis-aws-4.0.1".into()),
            services: Some(vec!["cloudtrail".into()]),
            ..Default::default()
        })
        .unwrap();
        assert!(cloudtrail_cis.iter().all(|id| id.starts_with("cloudtrail_")) && !cloudtrail_cis.is_empty());
        let low_ecr_tag = CheckSelection {
            include: Some(vec!["ecr_repositories_tag_immutability".into()]),
            severities: Some(vec![Severity::Critical]),
            ..Default::default()
        };
        assert_eq!(select(low_ecr_tag), Err(PlanError::NoChecks));
    }

    #[test]
    fn unknown_services_and_frameworks_name_the_valid_ones() {
        let err = select(CheckSelection { services: Some(vec!["s3".into()]), ..Default::default() }).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"s3\"") && text.contains("ecr") && text.contains("cloudtrail"), "{text}");
        let err = select(CheckSelection { compliance: Some("cis-9".into()), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("cis-aws-5.0"), "{err}");
    }
}
