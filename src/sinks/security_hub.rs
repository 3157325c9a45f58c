//! `--security-hub`: the scan's findings in ASFF (the renderer's, the same
//! as `NAME.asff.json`) imported with `BatchImportFindings`, 100 a call,
//! each into the hub of the region its `ProductArn` names, with the
//! caller's own credentials. A PASS is imported RESOLVED and ARCHIVED, so
//! a fixed finding leaves the active list.
//!
//! Findings are read one check at a time from the report, so memory holds
//! one check's findings, never the scan's.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::AwsSecurityFinding;
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::aws::Session;
use crate::model::Report;
use crate::report::asff;

mod convert;

/// What Security Hub made of the import.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    pub accepted: u64,
    pub rejected: u64,
    pub calls: u64,
    /// The first reasons given for rejected findings (`Id: code message`).
    pub reasons: Vec<String>,
}

/// How many rejection reasons are kept for the message.
const REASONS_KEPT: usize = 5;

/// Imports every finding of the report; a call that fails (after the
/// SDK's retries) stops the import with an error that says how far it got.
pub async fn import(session: &Session, report: &Report) -> anyhow::Result<Imported> {
    let mut imported = Imported::default();
    let mut clients: HashMap<String, Client> = HashMap::new();
    for check in &report.scan.checks {
        let mut by_region: BTreeMap<String, Vec<AwsSecurityFinding>> = BTreeMap::new();
        report.findings.each_of_check(check, |_, finding| {
            let value = asff::asff_finding(report, finding);
            by_region.entry(finding.region.clone()).or_default().push(convert::finding(value)?);
            Ok(())
        })?;
        for (region, findings) in by_region {
            let client = clients.entry(region.clone()).or_insert_with(|| session.client(&region));
            for batch in findings.chunks(asff::BATCH_LIMIT) {
                send(client, &region, batch, &mut imported).await.map_err(|err| {
                    anyhow::anyhow!(
                        "Security Hub import in {region}: {err} (before it: {} accepted, {} rejected)",
                        imported.accepted,
                        imported.rejected
                    )
                })?;
            }
        }
    }
    Ok(imported)
}

async fn send(
    client: &Client,
    region: &str,
    batch: &[AwsSecurityFinding],
    imported: &mut Imported,
) -> Result<(), String> {
    let answer = client
        .batch_import_findings()
        .set_findings(Some(batch.to_vec()))
        .send()
        .await
        .map_err(|err| format!("BatchImportFindings: {}", DisplayErrorContext(&err)))?;
    imported.calls += 1;
    imported.accepted += answer.success_count().unwrap_or_default().max(0) as u64;
    imported.rejected += answer.failed_count().unwrap_or_default().max(0) as u64;
    for failed in answer.failed_findings() {
        if imported.reasons.len() < REASONS_KEPT {
            imported.reasons.push(format!(
                "{} ({region}): {} {}",
                failed.id().unwrap_or_default(),
                failed.error_code().unwrap_or_default(),
                failed.error_message().unwrap_or_default()
            ));
        }
    }
    Ok(())
}
