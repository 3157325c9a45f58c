//! Check metadata as data: `checks/<service>/<check_id>.toml`, the
//! compliance frameworks that map controls to checks,
//! `checks/compliance/<framework>.toml`, and the SARIF rule ids,
//! `checks/sarif-rule-ids.txt`. Embedded at build time and read into typed
//! form, rejecting unknown keys.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::severity::Severity;

#[derive(Debug)]
pub struct EmbeddedMetadata {
    pub service: &'static str,
    pub file_stem: &'static str,
    pub path: &'static str,
    pub toml: &'static str,
}

#[derive(Debug)]
pub struct EmbeddedFramework {
    pub path: &'static str,
    pub toml: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/embedded_metadata.rs"));

/// The customer's side of the AWS shared-responsibility model a control belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SharedResponsibility {
    Application,
    Host,
    Network,
    Platform,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMetadata {
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    /// The check's SARIF rule id, `BH` and four digits: opaque, so a code
    /// scanning alert keeps its rule when a check is renamed, and never
    /// reused or changed once given. Not in the check's file: the one list
    /// is `checks/sarif-rule-ids.txt`, which `tests/update-snapshots` keeps
    /// (a new check takes the next number); empty until it has one.
    #[serde(default, skip_deserializing)]
    pub sarif_id: String,
    pub description: String,
    pub risk: String,
    pub shared_responsibility: SharedResponsibility,
    pub references: Vec<String>,
    pub remediation: Remediation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub text: String,
    pub cli: String,
    pub terraform: String,
}

/// A compliance framework (one version of it): its controls, each with the
/// checks that assess it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub name: String,
    pub version: String,
    #[serde(rename = "control")]
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub checks: Vec<String>,
}

/// One control a check counts towards.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ComplianceRef {
    pub framework: String,
    pub control: String,
}

/// A check's identity and metadata, from its metadata file.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    pub id: String,
    pub service: String,
    pub metadata: CheckMetadata,
    /// Derived from the framework files, sorted.
    pub compliance: Vec<ComplianceRef>,
}

#[derive(Debug, thiserror::Error)]
#[error("check metadata {path} is invalid: {message}")]
pub struct MetadataError {
    pub path: String,
    pub message: String,
}

/// Where the SARIF rule ids are kept, from the repository's root.
pub const SARIF_RULE_IDS_PATH: &str = "checks/sarif-rule-ids.txt";

/// The frozen SARIF rule ids, `(rule id, check id)` in file order (retired
/// checks included).
pub fn sarif_rule_ids() -> Result<Vec<(&'static str, &'static str)>, MetadataError> {
    SARIF_RULE_IDS
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            line.split_once(' ').ok_or_else(|| MetadataError {
                path: SARIF_RULE_IDS_PATH.to_owned(),
                message: format!("{line:?} is not a rule id and a check id"),
            })
        })
        .collect()
}

/// Every embedded metadata file, by check id.
pub fn catalog() -> Result<BTreeMap<String, CatalogEntry>, MetadataError> {
    let sarif_ids: BTreeMap<&str, &str> = sarif_rule_ids()?.into_iter().map(|(rule, check)| (check, rule)).collect();
    let mut catalog = BTreeMap::new();
    for file in EMBEDDED {
        let mut metadata: CheckMetadata = toml::from_str(file.toml)
            .map_err(|err| MetadataError { path: file.path.to_owned(), message: err.to_string() })?;
        metadata.sarif_id = sarif_ids.get(file.file_stem).map_or_else(String::new, |rule| (*rule).to_owned());
        let entry = CatalogEntry {
            id: file.file_stem.to_owned(),
            service: file.service.to_owned(),
            metadata,
            compliance: Vec::new(),
        };
        if catalog.insert(entry.id.clone(), entry).is_some() {
            return Err(MetadataError {
                path: file.path.to_owned(),
                message: format!("check id {} is defined in more than one service folder", file.file_stem),
            });
        }
    }
    for (framework, path) in frameworks()? {
        for control in &framework.controls {
            for check in &control.checks {
                let entry = catalog.get_mut(check).ok_or_else(|| MetadataError {
                    path: path.to_owned(),
                    message: format!("control {} names unknown check {check}", control.id),
                })?;
                entry.compliance.push(ComplianceRef { framework: framework.id.clone(), control: control.id.clone() });
            }
        }
    }
    for entry in catalog.values_mut() {
        entry.compliance.sort();
        entry.compliance.dedup();
    }
    Ok(catalog)
}

/// Every embedded framework, with the path it came from, sorted by id.
pub fn frameworks() -> Result<Vec<(Framework, &'static str)>, MetadataError> {
    let mut frameworks = Vec::new();
    for file in EMBEDDED_FRAMEWORKS {
        let framework: Framework = toml::from_str(file.toml)
            .map_err(|err| MetadataError { path: file.path.to_owned(), message: err.to_string() })?;
        if !file.path.ends_with(&format!("/{}.toml", framework.id)) {
            return Err(MetadataError {
                path: file.path.to_owned(),
                message: format!("framework id {} does not match the file name", framework.id),
            });
        }
        frameworks.push((framework, file.path));
    }
    frameworks.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    Ok(frameworks)
}
