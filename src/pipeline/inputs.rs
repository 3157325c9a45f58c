//! What the user gave, validated before any AWS call, and the check
//! catalogue: everything the evaluation reads besides the inventory.

use std::collections::BTreeMap;

use anyhow::Result;

use super::Settings;
use crate::checks::Check;
use crate::checks::metadata::{CatalogEntry, Framework, catalog, frameworks};
use crate::config::Config;
use crate::mutelist::Mutelist;
use crate::plan::{self, CheckSelection};
use crate::usage::UsageError;

#[derive(Debug)]
pub struct Inputs {
    pub config: Config,
    pub mutelist: Option<Mutelist>,
    pub catalog: BTreeMap<String, CatalogEntry>,
    pub frameworks: Vec<Framework>,
    pub checks: Vec<&'static Check>,
    /// The selection as the store records it with each scan.
    pub selection: serde_json::Value,
}

impl Inputs {
    pub fn load(selection: &CheckSelection, settings: &Settings) -> Result<Inputs> {
        let config = match &settings.config {
            Some(path) => Config::load(path).map_err(|err| UsageError::of("invalid config file ", err))?,
            None => Config::default(),
        };
        let mutelist = settings.mutelist.as_deref().map(Mutelist::load).transpose().map_err(UsageError::new)?;
        let catalog = catalog()?;
        let frameworks: Vec<Framework> = frameworks()?.into_iter().map(|(framework, _)| framework).collect();
        let checks = plan::select_checks_in(selection, &catalog, &frameworks).map_err(UsageError::new)?;
        let selection = serde_json::json!({
            "checks": selection.include,
            "exclude_checks": selection.exclude,
            "services": selection.services,
            "severity": selection.severities,
            "compliance": selection.compliance,
        });
        Ok(Inputs { config, mutelist, catalog, frameworks, checks, selection })
    }
}
