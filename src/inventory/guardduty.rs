//! GuardDuty inventory: the region's detectors (`ListDetectors`, one per
//! region in practice) and each one's status and protection plans
//! (`GetDetector`: its `features` with their additional configuration, such
//! as the automated agent management of Runtime Monitoring).

use aws_sdk_guardduty::Client;
use serde::{Deserialize, Serialize};

use super::features::FeaturesOff;
use super::paginate::CallSite;
use super::{AccountTarget, Collected};
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GuardDutyRegion {
    pub detectors: Collected<Vec<Detector>>,
    /// GuardDuty, when the region or partition does not offer it.
    #[serde(default, skip_serializing_if = "FeaturesOff::is_empty")]
    pub features_off: FeaturesOff,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    pub id: String,
    pub arn: String,
    pub details: Collected<DetectorDetails>,
}

super::resource!(Detector, id, arn);

/// What `GetDetector` says of a detector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DetectorDetails {
    /// `ENABLED` or `DISABLED`.
    pub status: Option<String>,
    pub features: Vec<DetectorFeature>,
}

/// A protection plan (`EKS_AUDIT_LOGS`, `RUNTIME_MONITORING`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DetectorFeature {
    pub name: String,
    /// `ENABLED` or `DISABLED`.
    pub status: Option<String>,
    /// `name -> status` of its additional configuration
    /// (`EKS_ADDON_MANAGEMENT`, `ECS_FARGATE_AGENT_MANAGEMENT`, ...).
    pub additional: Vec<(String, Option<String>)>,
}

impl DetectorDetails {
    pub fn is_enabled(&self) -> bool {
        self.status.as_deref() == Some("ENABLED")
    }

    pub fn feature(&self, name: &str) -> Option<&DetectorFeature> {
        self.features.iter().find(|feature| feature.name == name)
    }
}

impl DetectorFeature {
    pub fn is_enabled(&self) -> bool {
        self.status.as_deref() == Some("ENABLED")
    }

    /// The status of one additional configuration, when the feature reports it.
    pub fn additional(&self, name: &str) -> Option<&str> {
        self.additional.iter().find(|(key, _)| key == name).and_then(|(_, status)| status.as_deref())
    }
}

pub async fn detectors(
    client: &Client,
    gate: &CallGate,
    target: &AccountTarget,
    region: &str,
) -> Result<Vec<Detector>, CollectError> {
    let site = CallSite { gate, service: Service::GuardDuty, region, operation: "ListDetectors" };
    let ids = site
        .all_pages(
            |token| client.list_detectors().set_next_token(token).max_results(50).send(),
            |page| (page.detector_ids().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let get = CallSite { operation: "GetDetector", ..site };
    let detectors = ids.into_iter().map(|id| async move {
        let details = get.once(|| client.get_detector().detector_id(&id).send()).await.map(|output| DetectorDetails {
            status: output.status().map(|status| status.as_str().to_owned()),
            features: output
                .features()
                .iter()
                .map(|feature| DetectorFeature {
                    name: feature.name().map(|name| name.as_str().to_owned()).unwrap_or_default(),
                    status: feature.status().map(|status| status.as_str().to_owned()),
                    additional: feature
                        .additional_configuration()
                        .iter()
                        .map(|extra| {
                            (
                                extra.name().map(|name| name.as_str().to_owned()).unwrap_or_default(),
                                extra.status().map(|status| status.as_str().to_owned()),
                            )
                        })
                        .collect(),
                })
                .collect(),
        });
        Detector { arn: target.arn("guardduty", region, &format!("detector/{id}")), id, details: details.into() }
    });
    Ok(join_all(detectors).await)
}
