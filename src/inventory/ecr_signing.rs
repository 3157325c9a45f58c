//! ECR managed signing: the registry's signing configuration (which
//! repositories ECR signs pushed images of, with which AWS Signer profile)
//! and, for the images no cheaper evidence settles, ECR's signing status.

use aws_sdk_ecr::Client;
use aws_sdk_ecr::types::ImageIdentifier;
use serde::{Deserialize, Serialize};

use super::Collected;
use super::ecr::Repository;
use super::paginate::CallSite;
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service};
use crate::rules::image_signature::{needs_managed_signing_status, signing_rules_covering};

/// `GetSigningConfiguration` in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningConfiguration {
    pub rules: Vec<SigningRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningRule {
    pub signing_profile_arn: String,
    /// Empty: the rule signs the images of every repository.
    pub repository_filters: Vec<SigningFilter>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningFilter {
    pub filter: String,
    /// `WILDCARD_MATCH` (the only type ECR has so far).
    pub filter_type: String,
}

/// One entry of `DescribeImageSigningStatus`'s `signingStatuses`: one per
/// signing profile whose rule covered the image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedSigningStatus {
    pub signing_profile_arn: Option<String>,
    /// `IN_PROGRESS`, `COMPLETE` or `FAILED`, as ECR spells it.
    pub status: Option<String>,
    pub failure_code: Option<String>,
    pub failure_reason: Option<String>,
}

/// The region's signing configuration; `Ok(None)`: managed signing is not
/// configured (`SigningConfigurationNotFoundException`).
pub async fn signing_configuration(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<Option<SigningConfiguration>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetSigningConfiguration" };
    let output = site
        .unless_absent(
            || client.get_signing_configuration().send(),
            |err| err.is_signing_configuration_not_found_exception(),
        )
        .await?;
    Ok(output.and_then(|output| output.signing_configuration().cloned()).map(|config| SigningConfiguration {
        rules: config
            .rules()
            .iter()
            .map(|rule| SigningRule {
                signing_profile_arn: rule.signing_profile_arn().to_owned(),
                repository_filters: rule
                    .repository_filters()
                    .iter()
                    .map(|filter| SigningFilter {
                        filter: filter.filter().to_owned(),
                        filter_type: filter.filter_type().as_str().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// Asks ECR's signing status of every image that a signing rule covers and
/// that the listing and referrers do not already show signed; every other
/// image's status stays `NotRequested`.
pub async fn signing_statuses(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repositories: &mut [Repository],
    config: &SigningConfiguration,
) {
    // (repository index, image index, repository name, image digest)
    let mut lookups = Vec::new();
    for (r, repository) in repositories.iter().enumerate() {
        if signing_rules_covering(config, &repository.name).is_empty() {
            continue;
        }
        let Collected::Ok(images) = &repository.images else { continue };
        for (i, image) in images.iter().enumerate() {
            if needs_managed_signing_status(image, images) {
                lookups.push((r, i, repository.name.clone(), image.digest.clone()));
            }
        }
    }
    let statuses =
        join_all(lookups.iter().map(|(_, _, name, digest)| image_signing_status(client, gate, region, name, digest)))
            .await;
    for ((r, i, _, _), status) in lookups.into_iter().zip(statuses) {
        if let Collected::Ok(images) = &mut repositories[r].images {
            images[i].managed_signing = status.into();
        }
    }
}

async fn image_signing_status(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
    digest: &str,
) -> Result<Vec<ManagedSigningStatus>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeImageSigningStatus" };
    let id = ImageIdentifier::builder().image_digest(digest).build();
    let output = site
        .once(|| client.describe_image_signing_status().repository_name(repository).image_id(id.clone()).send())
        .await?;
    Ok(output
        .signing_statuses()
        .iter()
        .map(|status| ManagedSigningStatus {
            signing_profile_arn: status.signing_profile_arn().map(str::to_owned),
            status: status.status().map(|status| status.as_str().to_owned()),
            failure_code: status.failure_code().map(str::to_owned),
            failure_reason: status.failure_reason().map(str::to_owned),
        })
        .collect())
}
