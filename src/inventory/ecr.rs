//! ECR inventory: repositories, their policies, and their images with the
//! evidence of a signature next to each.

use aws_sdk_ecr::Client;
use aws_sdk_ecr::types::{ImageDetail, ListImageReferrersFilter, SubjectIdentifier};
use futures::future::join_all;
use serde::{Deserialize, Serialize};

use super::Collected;
use super::paginate::CallSite;
use crate::aws::{CallGate, CollectError, ErrorKind, Service};
use crate::rules::image_signature::{SIGNATURE_ARTIFACT_TYPES, SignatureKind, cosign_signed_digest};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcrRegion {
    pub repositories: Collected<Vec<Repository>>,
}

impl EcrRegion {
    pub fn errors(&self) -> Vec<&CollectError> {
        let mut errors: Vec<&CollectError> = self.repositories.error().into_iter().collect();
        if let Collected::Ok(repositories) = &self.repositories {
            for repository in repositories {
                errors.extend(repository.policy.error());
                errors.extend(repository.images.error());
                if let Collected::Ok(images) = &repository.images {
                    errors.extend(images.iter().filter_map(|image| image.referrers.error()));
                }
            }
        }
        errors
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    pub name: String,
    pub arn: String,
    pub registry_id: String,
    /// `Ok(None)`: the repository has no policy.
    pub policy: Collected<Option<String>>,
    pub images: Collected<Vec<Image>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub digest: String,
    pub tags: Vec<String>,
    pub pushed_at: Option<String>,
    pub artifact_media_type: Option<String>,
    /// Set when this image is itself an OCI 1.1 referrer (a signature, SBOM, ...).
    pub subject_digest: Option<String>,
    /// Signature referrers from `ListImageReferrers`; `NotRequested` when the
    /// `DescribeImages` listing already settled whether the image is signed.
    pub referrers: Collected<Vec<Referrer>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referrer {
    pub digest: String,
    pub artifact_type: Option<String>,
}

/// What the collector fetches per repository, from the checks' needs.
#[derive(Debug, Clone, Copy)]
pub struct RepositoryDetails {
    pub policy: bool,
    pub images: bool,
}

pub async fn repositories(
    client: &Client,
    gate: &CallGate,
    region: &str,
    details: RepositoryDetails,
) -> Result<Vec<Repository>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeRepositories" };
    let listed = site
        .all_pages(
            |token| client.describe_repositories().set_next_token(token).max_results(1000).send(),
            |page| (page.repositories().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;

    let repositories = listed.iter().map(|repository| async move {
        let name = repository.repository_name().unwrap_or_default().to_owned();
        let (policy, images) = futures::join!(
            async {
                if details.policy {
                    repository_policy(client, gate, region, &name).await.into()
                } else {
                    Collected::NotRequested
                }
            },
            async {
                if details.images { images(client, gate, region, &name).await.into() } else { Collected::NotRequested }
            },
        );
        Repository {
            arn: repository.repository_arn().unwrap_or_default().to_owned(),
            registry_id: repository.registry_id().unwrap_or_default().to_owned(),
            name,
            policy,
            images,
        }
    });
    Ok(join_all(repositories).await)
}

async fn repository_policy(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
) -> Result<Option<String>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetRepositoryPolicy" };
    let call = client.get_repository_policy().repository_name(repository).send();
    match gate.call(Service::Ecr, region, call).await {
        Ok(output) => Ok(output.policy_text().map(str::to_owned)),
        Err(err) if err.as_service_error().is_some_and(|err| err.is_repository_policy_not_found_exception()) => {
            Ok(None)
        }
        Err(err) => Err(site.error(&err)),
    }
}

async fn images(client: &Client, gate: &CallGate, region: &str, repository: &str) -> Result<Vec<Image>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeImages" };
    let details = site
        .all_pages(
            |token| client.describe_images().repository_name(repository).set_next_token(token).max_results(1000).send(),
            |page| (page.image_details().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let mut images: Vec<Image> = details.iter().map(image).collect();

    let lookups = referrer_lookups_needed(&images);
    let referrers = join_all(
        lookups.iter().map(|&index| signature_referrers(client, gate, region, repository, &images[index].digest)),
    )
    .await;
    for (index, found) in lookups.into_iter().zip(referrers) {
        images[index].referrers = found.into();
    }
    Ok(images)
}

fn image(detail: &ImageDetail) -> Image {
    Image {
        digest: detail.image_digest().unwrap_or_default().to_owned(),
        tags: detail.image_tags().to_vec(),
        pushed_at: detail.image_pushed_at().and_then(|at| at.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
        artifact_media_type: detail.artifact_media_type().map(str::to_owned),
        subject_digest: detail.subject_manifest_digest().map(str::to_owned),
        referrers: Collected::NotRequested,
    }
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
