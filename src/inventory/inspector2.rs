//! Amazon Inspector inventory: the audited account's status in the region
//! (`BatchGetAccountStatus` for the account itself, one call per region),
//! of which the checks read whether it scans ECR images.

use aws_sdk_inspector2::Client;
use serde::{Deserialize, Serialize};

use super::Collected;
use super::features::FeaturesOff;
use super::paginate::CallSite;
use crate::aws::{CallGate, CollectError, ErrorKind, Service};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InspectorRegion {
    pub account: Collected<InspectorAccount>,
    /// Inspector, when the region or partition does not offer it.
    #[serde(default, skip_serializing_if = "FeaturesOff::is_empty")]
    pub features_off: FeaturesOff,
}

/// The account's Inspector status in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InspectorAccount {
    /// Inspector as a whole: `ENABLED`, `ENABLING`, `DISABLED`, `DISABLING`,
    /// `SUSPENDED`, `SUSPENDING`.
    pub status: Option<String>,
    /// Its ECR scanning (`resourceState.ecr.status`), in the same words.
    pub ecr: Option<String>,
}

impl InspectorAccount {
    pub fn scans_ecr(&self) -> bool {
        self.ecr.as_deref() == Some("ENABLED")
    }
}

pub async fn account_status(
    client: &Client,
    gate: &CallGate,
    account_id: &str,
    region: &str,
) -> Result<InspectorAccount, CollectError> {
    let site = CallSite { gate, service: Service::Inspector2, region, operation: "BatchGetAccountStatus" };
    let output = site.once(|| client.batch_get_account_status().account_ids(account_id).send()).await?;
    if let Some(state) = output.accounts().iter().find(|state| state.account_id() == account_id) {
        return Ok(InspectorAccount {
            status: state.state().map(|state| state.status().as_str().to_owned()),
            ecr: state
                .resource_state()
                .and_then(|resources| resources.ecr())
                .map(|ecr| ecr.status().as_str().to_owned()),
        });
    }
    let message = match output.failed_accounts().iter().find(|failed| failed.account_id() == account_id) {
        Some(failed) => format!("{}: {}", failed.error_code().as_str(), failed.error_message()),
        None => format!("the answer has no status for account {account_id}"),
    };
    Err(CollectError::new(Service::Inspector2, site.operation, region, ErrorKind::ServiceError, message))
}
