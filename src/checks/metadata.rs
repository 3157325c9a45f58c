//! Check metadata as data: `checks/<service>/<check_id>.toml`, embedded at
//! build time and read into typed form, rejecting unknown keys.

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
    pub description: String,
    pub risk: String,
    pub shared_responsibility: SharedResponsibility,
    pub references: Vec<String>,
    pub remediation: Remediation,
    #[serde(default)]
    pub compliance: Compliance,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub text: String,
    pub cli: String,
    pub terraform: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compliance {
    #[serde(default)]
    pub cis_aws_3_0: Vec<String>,
    #[serde(default)]
    pub cis_aws_4_0_1: Vec<String>,
    #[serde(default)]
    pub cis_aws_5_0: Vec<String>,
    #[serde(default)]
    pub aws_fsbp: Vec<String>,
}

/// A check's identity and metadata, from its metadata file.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    pub id: String,
    pub service: String,
    pub metadata: CheckMetadata,
}

#[derive(Debug, thiserror::Error)]
#[error("check metadata {path} is invalid: {message}")]
pub struct MetadataError {
    pub path: String,
    pub message: String,
}

/// Every embedded metadata file, by check id.
pub fn catalog() -> Result<BTreeMap<String, CatalogEntry>, MetadataError> {
    let mut catalog = BTreeMap::new();
    for file in EMBEDDED {
        let metadata: CheckMetadata = toml::from_str(file.toml)
            .map_err(|err| MetadataError { path: file.path.to_owned(), message: err.to_string() })?;
        let entry = CatalogEntry { id: file.file_stem.to_owned(), service: file.service.to_owned(), metadata };
        if catalog.insert(entry.id.clone(), entry).is_some() {
            return Err(MetadataError {
                path: file.path.to_owned(),
                message: format!("check id {} is defined in more than one service folder", file.file_stem),
            });
        }
    }
    Ok(catalog)
}
