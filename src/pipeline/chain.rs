//! The consumers in the order each finding passes them, and what the
//! evaluation gathers of the accounts besides their findings.

use anyhow::Result;

use super::comparison::Comparison;
use super::gate::Gatekeeper;
use super::memory::{Baseline, RunRecord};
use super::mute::Mute;
use super::recorder::Recorder;
use super::spill::Spill;
use super::{AccountScope, Inputs, Judged, Sink};
use crate::history::ScanHeader;
use crate::model::{ReportFinding, ScanError, Tally, UnavailableFeature, VulnerableImage};
use std::collections::BTreeMap;

/// The consumers, in the order each finding passes them.
#[derive(Debug)]
pub(super) struct Chain<'a> {
    pub mute: Mute<'a>,
    pub recorder: Recorder,
    pub comparison: Comparison,
    pub gatekeeper: Gatekeeper,
    pub tally: Tally,
    pub spill: Spill,
}

impl Chain<'_> {
    fn sinks(&mut self) -> [&mut dyn Sink; 6] {
        [
            &mut self.mute,
            &mut self.recorder,
            &mut self.comparison,
            &mut self.gatekeeper,
            &mut self.tally,
            &mut self.spill,
        ]
    }

    /// One account's findings, each through every consumer in turn.
    pub(super) fn account(
        &mut self,
        scope: &AccountScope<'_>,
        findings: impl Iterator<Item = ReportFinding>,
    ) -> Result<()> {
        for sink in self.sinks() {
            sink.begin_account(scope)?;
        }
        for finding in findings {
            let mut judged = Judged::new(finding);
            for sink in self.sinks() {
                sink.finding(scope, &mut judged)?;
            }
        }
        for sink in self.sinks() {
            sink.end_account(scope)?;
        }
        Ok(())
    }
}

/// What the report says of the accounts besides their findings.
#[derive(Debug, Default)]
pub(super) struct AccountFacts {
    pub errors: Vec<ScanError>,
    /// Features a region does not offer (not errors).
    pub unavailable: Vec<UnavailableFeature>,
    pub names: BTreeMap<String, String>,
    /// Names from AWS Organizations, for a fleet scan.
    pub organization_names: BTreeMap<String, String>,
    /// The images with scan findings, when a selected check reads them.
    pub vulnerable: Option<Vec<VulnerableImage>>,
}

/// What an evaluation ends with, for the report to be built from.
#[derive(Debug)]
pub(super) struct Ending<'a> {
    pub inputs: &'a Inputs,
    pub header: ScanHeader,
    pub chain: Chain<'a>,
    pub baseline: Option<Baseline>,
    pub facts: AccountFacts,
    pub run: RunRecord,
}
