//! ECR inventory: the registry's scanning configuration and policy,
//! repositories with their settings and policies, and their images with the
//! evidence of a signature next to each.

use std::collections::{BTreeMap, HashMap};

use crate::aws::chain::{self, join_all};
use aws_sdk_ecr::Client;
use aws_sdk_ecr::types::{FindingSeverity, ImageDetail, ImageIdentifier, ListImageReferrersFilter, SubjectIdentifier};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::features::FeaturesOff;
use super::paginate::{CallSite, timestamp};
use super::{Collected, Needs, ResourceKind, requested};
use crate::aws::{CallGate, CollectError, ErrorKind, Service};
use crate::image::signature::{NOTARY_SIGNATURE, SIGSTORE_BUNDLE, SignatureKind, cosign_signed_digest};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcrRegion {
    pub repositories: Collected<Vec<Repository>>,
    /// `GetRegistryScanningConfiguration`, once per region.
    #[serde(default)]
    pub registry_scanning: Collected<RegistryScanning>,
    /// `GetRegistryPolicy`; `Ok(None)`: the registry has no policy.
    #[serde(default)]
    pub registry_policy: Collected<Option<String>>,
    /// `GetSigningConfiguration`, once per region; `Ok(None)`: ECR managed
    /// signing is not configured.
    #[serde(default)]
    pub signing_configuration: Collected<Option<SigningConfiguration>>,
    /// The optional features the region does not offer, each settled above
    /// as what its absence means (`inventory::features`).
    #[serde(default, skip_serializing_if = "FeaturesOff::is_empty")]
    pub features_off: FeaturesOff,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    pub name: String,
    pub arn: String,
    pub registry_id: String,
    /// `Ok(None)`: the repository has no policy.
    pub policy: Collected<Option<String>>,
    pub images: Collected<Vec<Image>>,
    /// The repository's own `imageScanningConfiguration.scanOnPush`.
    #[serde(default)]
    pub scan_on_push: bool,
    /// `MUTABLE`, `IMMUTABLE`, or the `..._WITH_EXCLUSION` variants.
    #[serde(default)]
    pub tag_mutability: String,
    /// `AES256`, `KMS` or `KMS_DSSE`.
    #[serde(default)]
    pub encryption_type: String,
    #[serde(default)]
    pub kms_key: Option<String>,
    /// `GetLifecyclePolicy`; `Ok(None)`: no lifecycle policy.
    #[serde(default)]
    pub lifecycle_policy: Collected<Option<String>>,
    /// The effective scanning configuration (registry rules applied), from
    /// `BatchGetRepositoryScanningConfiguration`.
    #[serde(default)]
    pub scanning: Collected<RepositoryScanning>,
    /// The scan of the most recently pushed image; `Ok(None)`: the repository
    /// has no image.
    #[serde(default)]
    pub latest_image_scan: Collected<Option<ImageScan>>,
}

super::resource!(Repository, name, arn, |repository| super::Label {
    name: repository.name.clone(),
    ..super::Label::default()
});

/// The registry's scanning configuration in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryScanning {
    /// `BASIC` or `ENHANCED`.
    pub scan_type: String,
    pub rules: Vec<ScanningRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    pub scan_frequency: String,
    /// Wildcard repository filters (`*` matches every repository).
    pub repository_filters: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepositoryScanning {
    pub scan_on_push: bool,
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`; `None` when not reported.
    pub scan_frequency: Option<String>,
    pub applied_filters: Vec<String>,
}

/// The latest image of a repository and what its scan found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageScan {
    /// The image's identity (see [`Image`]).
    pub id: String,
    pub arn: String,
    pub digest: String,
    pub tags: Vec<String>,
    /// `None`: the image was never scanned.
    pub result: Option<ScanResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanResult {
    /// `COMPLETE`, `FAILED`, `IN_PROGRESS`, ... as the API reports it.
    pub status: Option<String>,
    pub completed_at: Option<Timestamp>,
    /// Severity name as ECR spells it (`CRITICAL`, `HIGH`, ...) -> count.
    pub severity_counts: BTreeMap<String, i32>,
}

super::resource!(ImageScan, id, arn);

/// An image of a repository. ECR gives images no ARN of their own: findings
/// name one `REPOSITORY@DIGEST`, with the repository's ARN followed by
/// `/DIGEST`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub id: String,
    pub arn: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub pushed_at: Option<Timestamp>,
    pub artifact_media_type: Option<String>,
    /// Set when this image is itself an OCI 1.1 referrer (a signature, SBOM, ...).
    pub subject_digest: Option<String>,
    /// Signature referrers from `ListImageReferrers`; `NotRequested` when the
    /// `DescribeImages` listing already settled whether the image is signed.
    pub referrers: Collected<Vec<Referrer>>,
    /// ECR managed signing's statuses from `DescribeImageSigningStatus`;
    /// `NotRequested` when the listing or referrers show a signature, or no
    /// signing rule covers the repository (or none is configured).
    #[serde(default)]
    pub managed_signing: Collected<Vec<ManagedSigningStatus>>,
    /// `imageScanFindingsSummary` from `DescribeImages`, when it reports one.
    #[serde(default)]
    pub scan: Option<ScanResult>,
    /// `imageScanStatus.status` from `DescribeImages`; `None`: never scanned.
    #[serde(default)]
    pub scan_status: Option<String>,
}

super::resource!(Image, id, arn);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referrer {
    pub digest: String,
    pub artifact_type: Option<String>,
}

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

/// Every repository of the region, or the one named `only`, with what `needs` asks of each.
pub async fn repositories(
    client: &Client,
    gate: &CallGate,
    region: &str,
    needs: &Needs,
    only: Option<&str>,
) -> Result<Vec<Repository>, CollectError> {
    let listed = describe_repositories(client, gate, region, only).await?;
    let names: Vec<String> =
        listed.iter().map(|repository| repository.repository_name().unwrap_or_default().to_owned()).collect();
    let wants_images = needs.wants(ResourceKind::EcrImages);
    let wants_latest_scan = needs.wants(ResourceKind::EcrLatestImageScan);
    // The vulnerability collection reads the listing's scan status of each
    // image in use; the signatures stay the signature check's.
    let keeps_images = wants_images || needs.wants(ResourceKind::ImageVulnerabilities);
    let repositories = listed.iter().map(|repository| async move {
        let name = repository.repository_name().unwrap_or_default().to_owned();
        let arn = repository.repository_arn().unwrap_or_default().to_owned();
        let (policy, lifecycle_policy, images) = futures::join!(
            requested(needs.wants(ResourceKind::EcrRepositoryPolicies), repository_policy(client, gate, region, &name)),
            requested(needs.wants(ResourceKind::EcrLifecyclePolicies), lifecycle_policy(client, gate, region, &name)),
            requested(keeps_images || wants_latest_scan, images(client, gate, region, &name, &arn, wants_images)),
        );
        let latest_image_scan = match (&images, wants_latest_scan) {
            (_, false) => Collected::NotRequested,
            (Collected::Ok(images), true) => latest_image_scan(client, gate, region, &name, images).await.into(),
            (Collected::Failed(err), true) => Collected::Failed(err.clone()),
            (Collected::NotRequested, true) => Collected::NotRequested,
        };
        let encryption = repository.encryption_configuration();
        Repository {
            arn,
            registry_id: repository.registry_id().unwrap_or_default().to_owned(),
            name,
            policy,
            images: if keeps_images { images } else { Collected::NotRequested },
            scan_on_push: repository.image_scanning_configuration().is_some_and(|config| config.scan_on_push()),
            tag_mutability: repository
                .image_tag_mutability()
                .map(|mutability| mutability.as_str().to_owned())
                .unwrap_or_else(|| "MUTABLE".to_owned()),
            encryption_type: encryption
                .map(|config| config.encryption_type().as_str().to_owned())
                .unwrap_or_else(|| "AES256".to_owned()),
            kms_key: encryption.and_then(|config| config.kms_key()).map(str::to_owned),
            lifecycle_policy,
            scanning: Collected::NotRequested,
            latest_image_scan,
        }
    });
    // The scanning configurations are batched, and asked alongside the
    // per-repository calls rather than before them.
    let (mut repositories, mut scanning) = futures::join!(
        join_all(repositories),
        chain::branch(async {
            if needs.wants(ResourceKind::EcrRepositoryScanning) {
                Some(repository_scanning(client, gate, region, &names).await)
            } else {
                None
            }
        }),
    );
    if let Some(scanning) = scanning.as_mut() {
        attach_scanning(&mut repositories, scanning, region);
    }
    Ok(repositories)
}

/// `DescribeRepositories`: every repository of the region, or the one named `only`.
async fn describe_repositories(
    client: &Client,
    gate: &CallGate,
    region: &str,
    only: Option<&str>,
) -> Result<Vec<aws_sdk_ecr::types::Repository>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeRepositories" };
    site.all_pages(
        // ECR refuses maxResults beside repositoryNames.
        |token| {
            client
                .describe_repositories()
                .set_repository_names(only.map(|name| vec![name.to_owned()]))
                .set_max_results(only.is_none().then_some(1000))
                .set_next_token(token)
                .send()
        },
        |page| (page.repositories().to_vec(), page.next_token().map(str::to_owned)),
    )
    .await
}

/// Gives each repository its scanning configuration from the batched
/// answers, or the batch's failure.
fn attach_scanning(
    repositories: &mut [Repository],
    scanning: &mut Result<HashMap<String, Collected<RepositoryScanning>>, CollectError>,
    region: &str,
) {
    for repository in repositories {
        repository.scanning = match scanning {
            Ok(by_name) => match by_name.remove(&repository.name) {
                Some(found) => found,
                None => Collected::Failed(CollectError::new(
                    Service::Ecr,
                    "BatchGetRepositoryScanningConfiguration",
                    region,
                    ErrorKind::MalformedResponse,
                    format!("no scanning configuration and no failure reported for repository {}", repository.name),
                )),
            },
            Err(err) => Collected::Failed(err.clone()),
        };
    }
}

/// ECR takes at most 100 repository names per call.
const SCANNING_BATCH: usize = 100;

/// The effective scanning configuration of every repository, 100 per call.
async fn repository_scanning(
    client: &Client,
    gate: &CallGate,
    region: &str,
    names: &[String],
) -> Result<HashMap<String, Collected<RepositoryScanning>>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "BatchGetRepositoryScanningConfiguration" };
    let batches = join_all(names.chunks(SCANNING_BATCH).map(|batch| {
        site.once(|| {
            client.batch_get_repository_scanning_configuration().set_repository_names(Some(batch.to_vec())).send()
        })
    }))
    .await;
    let mut by_name = HashMap::new();
    for batch in batches {
        let output = batch?;
        for config in output.scanning_configurations() {
            let scanning = RepositoryScanning {
                scan_on_push: config.scan_on_push(),
                scan_frequency: config.scan_frequency().map(|frequency| frequency.as_str().to_owned()),
                applied_filters: config
                    .applied_scan_filters()
                    .iter()
                    .map(|filter| filter.filter().to_owned())
                    .collect(),
            };
            by_name.insert(config.repository_name().unwrap_or_default().to_owned(), Collected::Ok(scanning));
        }
        for failure in output.failures() {
            let message = format!(
                "{}: {}",
                failure.failure_code().map(|code| code.as_str()).unwrap_or("failure"),
                failure.failure_reason().unwrap_or_default()
            );
            by_name.insert(
                failure.repository_name().unwrap_or_default().to_owned(),
                Collected::Failed(CollectError::new(
                    Service::Ecr,
                    site.operation,
                    region,
                    ErrorKind::ServiceError,
                    message,
                )),
            );
        }
    }
    Ok(by_name)
}

pub async fn registry_scanning(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<RegistryScanning, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetRegistryScanningConfiguration" };
    let output = site.once(|| client.get_registry_scanning_configuration().send()).await?;
    let config = output.scanning_configuration();
    Ok(RegistryScanning {
        scan_type: config
            .and_then(|config| config.scan_type())
            .map(|scan_type| scan_type.as_str().to_owned())
            .unwrap_or_else(|| "BASIC".to_owned()),
        rules: config
            .map(|config| config.rules())
            .unwrap_or_default()
            .iter()
            .map(|rule| ScanningRule {
                scan_frequency: rule.scan_frequency().as_str().to_owned(),
                repository_filters: rule.repository_filters().iter().map(|filter| filter.filter().to_owned()).collect(),
            })
            .collect(),
    })
}

pub async fn registry_policy(client: &Client, gate: &CallGate, region: &str) -> Result<Option<String>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetRegistryPolicy" };
    let output = site
        .unless_absent(|| client.get_registry_policy().send(), |err| err.is_registry_policy_not_found_exception())
        .await?;
    Ok(output.and_then(|output| output.policy_text().map(str::to_owned)))
}

async fn lifecycle_policy(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
) -> Result<Option<String>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetLifecyclePolicy" };
    let call = || client.get_lifecycle_policy().repository_name(repository).send();
    let output = site.unless_absent(call, |err| err.is_lifecycle_policy_not_found_exception()).await?;
    Ok(output.and_then(|output| output.lifecycle_policy_text().map(str::to_owned)))
}

/// The latest image's scan as `DescribeImages` listed it: its summary, or
/// no scan status at all (never scanned). Only a scan with a status and no
/// summary (in progress, failed) costs a `DescribeImageScanFindings` call.
async fn latest_image_scan(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
    images: &[Image],
) -> Result<Option<ImageScan>, CollectError> {
    let Some(image) = latest_image(images) else {
        return Ok(None);
    };
    let mut scan = ImageScan {
        id: image.id.clone(),
        arn: image.arn.clone(),
        digest: image.digest.clone(),
        tags: image.tags.clone(),
        result: image.scan.clone(),
    };
    if scan.result.is_some() || image.scan_status.is_none() {
        return Ok(Some(scan));
    }
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeImageScanFindings" };
    let id = ImageIdentifier::builder().image_digest(&image.digest).build();
    let call =
        || client.describe_image_scan_findings().repository_name(repository).image_id(id.clone()).max_results(1).send();
    if let Some(output) = site.unless_absent(call, |err| err.is_scan_not_found_exception()).await? {
        let findings = output.image_scan_findings();
        scan.result = Some(ScanResult {
            status: output.image_scan_status().and_then(|status| status.status()).map(|s| s.as_str().to_owned()),
            completed_at: findings.and_then(|f| f.image_scan_completed_at()).and_then(timestamp),
            severity_counts: severity_counts(findings.and_then(|f| f.finding_severity_counts())),
        });
    }
    Ok(Some(scan))
}

fn severity_counts(counts: Option<&HashMap<FindingSeverity, i32>>) -> BTreeMap<String, i32> {
    counts.into_iter().flatten().map(|(severity, count)| (severity.as_str().to_owned(), *count)).collect()
}

async fn repository_policy(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
) -> Result<Option<String>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetRepositoryPolicy" };
    let call = || client.get_repository_policy().repository_name(repository).send();
    let output = site.unless_absent(call, |err| err.is_repository_policy_not_found_exception()).await?;
    Ok(output.and_then(|output| output.policy_text().map(str::to_owned)))
}

/// Every image of the repository; `signatures`: also settle each image's
/// signature with `ListImageReferrers` where the listing leaves it open
/// (only the signature check needs that).
async fn images(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
    repository_arn: &str,
    signatures: bool,
) -> Result<Vec<Image>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeImages" };
    let details = site
        .all_pages(
            |token| client.describe_images().repository_name(repository).set_next_token(token).max_results(1000).send(),
            |page| (page.image_details().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let mut images: Vec<Image> = details.iter().map(|detail| image(detail, repository, repository_arn)).collect();

    let lookups = if signatures { referrer_lookups_needed(&images) } else { Vec::new() };
    let referrers = join_all(
        lookups.iter().map(|&index| signature_referrers(client, gate, region, repository, &images[index].digest)),
    )
    .await;
    for (index, found) in lookups.into_iter().zip(referrers) {
        images[index].referrers = found.into();
    }
    Ok(images)
}

fn image(detail: &ImageDetail, repository: &str, repository_arn: &str) -> Image {
    let scan_status = detail.image_scan_status().and_then(|status| status.status()).map(|s| s.as_str().to_owned());
    let digest = detail.image_digest().unwrap_or_default().to_owned();
    Image {
        id: format!("{repository}@{digest}"),
        arn: format!("{repository_arn}/{digest}"),
        digest,
        tags: detail.image_tags().to_vec(),
        pushed_at: detail.image_pushed_at().and_then(timestamp),
        artifact_media_type: detail.artifact_media_type().map(str::to_owned),
        subject_digest: detail.subject_manifest_digest().map(str::to_owned),
        referrers: Collected::NotRequested,
        managed_signing: Collected::NotRequested,
        scan: detail.image_scan_findings_summary().map(|summary| ScanResult {
            status: scan_status.clone(),
            completed_at: summary.image_scan_completed_at().and_then(timestamp),
            severity_counts: severity_counts(summary.finding_severity_counts()),
        }),
        scan_status,
    }
}

/// Signature artifacts and other referrers are not images that need a signature.
pub fn is_signable(image: &Image) -> bool {
    image.subject_digest.is_none() && !image.tags.iter().any(|tag| cosign_signed_digest(tag).is_some())
}

/// The signature the `DescribeImages` listing shows for `image`, if any.
pub fn signature_from_listing(image: &Image, listing: &[Image]) -> Option<SignatureKind> {
    listing.iter().find_map(|other| {
        if other.tags.iter().any(|tag| cosign_signed_digest(tag).as_deref() == Some(image.digest.as_str())) {
            return Some(SignatureKind::CosignTag);
        }
        if other.subject_digest.as_deref() == Some(image.digest.as_str()) {
            return other.artifact_media_type.as_deref().and_then(SignatureKind::of_artifact_type);
        }
        None
    })
}

/// The most recently pushed image (signatures and other referrers aside);
/// on a tie, the one listed last.
pub fn latest_image(images: &[Image]) -> Option<&Image> {
    images.iter().filter(|image| is_signable(image)).max_by_key(|image| image.pushed_at)
}

/// The images whose signature the listing leaves open: a referrer points at
/// them but does not say its artifact type (some registries and emulators
/// omit `artifactMediaType`). Only these cost a `ListImageReferrers` call.
fn referrer_lookups_needed(images: &[Image]) -> Vec<usize> {
    images
        .iter()
        .enumerate()
        .filter(|(_, image)| is_signable(image) && signature_from_listing(image, images).is_none())
        .filter(|(_, image)| {
            images.iter().any(|other| {
                other.subject_digest.as_deref() == Some(image.digest.as_str()) && other.artifact_media_type.is_none()
            })
        })
        .map(|(index, _)| index)
        .collect()
}

/// The artifact types that count as signatures, for `ListImageReferrers` filters.
const SIGNATURE_ARTIFACT_TYPES: [&str; 2] = [NOTARY_SIGNATURE, SIGSTORE_BUNDLE];

async fn signature_referrers(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
    digest: &str,
) -> Result<Vec<Referrer>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "ListImageReferrers" };
    let subject = SubjectIdentifier::builder()
        .image_digest(digest)
        .build()
        .map_err(|err| CollectError::new(Service::Ecr, site.operation, region, ErrorKind::Other, err.to_string()))?;
    let filter = ListImageReferrersFilter::builder()
        .set_artifact_types(Some(SIGNATURE_ARTIFACT_TYPES.map(str::to_owned).to_vec()))
        .build();
    site.all_pages(
        |token| {
            client
                .list_image_referrers()
                .repository_name(repository)
                .subject_id(subject.clone())
                .filter(filter.clone())
                .set_next_token(token)
                .send()
        },
        |page| {
            let referrers = page
                .referrers()
                .iter()
                .map(|referrer| Referrer {
                    digest: referrer.digest().to_owned(),
                    artifact_type: referrer.artifact_type().map(str::to_owned),
                })
                .collect();
            (referrers, page.next_token().map(str::to_owned))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::fixtures;

    fn image(hex: &str, tags: &[&str], pushed_at: &str, subject: Option<&str>) -> Image {
        let mut image = fixtures::image(&fixtures::repository("app"), hex, tags);
        image.pushed_at = Some(fixtures::at(pushed_at));
        image.subject_digest = subject.map(str::to_owned);
        image
    }

    #[test]
    fn the_latest_pushed_image_ignoring_signatures_and_comparing_times_not_text() {
        let images = [
            image("a", &["v1"], "2025-01-15T09:30:00.5Z", None),
            image("b", &["v2"], "2025-01-15T09:30:00Z", None),
            image("c", &[], "2025-01-16T00:00:00Z", Some("sha256:a")),
            image("d", &[&format!("sha256-{}.sig", "a".repeat(64))], "2025-01-17T00:00:00Z", None),
        ];
        // As text "…00Z" sorts after "…00.5Z"; as times it is earlier.
        assert_eq!(latest_image(&images).map(|image| image.digest.as_str()), Some("sha256:a"));
        assert!(latest_image(&[]).is_none());
    }
}
