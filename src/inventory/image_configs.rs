//! The images themselves: for each image in the account's own ECR that a
//! judged task definition names, its manifest (`BatchGetImage`, batched per
//! repository), the platform manifest of an index, and the config blob
//! (`GetDownloadUrlForLayer`, then a GET of the presigned URL).
//!
//! Each distinct config digest is fetched once per account and region, and
//! every call goes through the call gate. A fetch that fails leaves its
//! error on the image, which the checks turn into ERROR.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecr::Client;
use aws_sdk_ecr::operation::batch_get_image::BatchGetImageOutput;
use aws_sdk_ecr::types::ImageIdentifier;
use serde::{Deserialize, Serialize};

use super::ecs::TaskDefinition;
use super::image_layers::ImageLayers;
use super::image_vulnerabilities::ImageVulnerabilities;
use super::paginate::CallSite;
use super::{AccountTarget, Collected, RegionInventory};
use crate::aws::chain::join_all;
use crate::aws::{BlobFetcher, CallGate, CollectError, ErrorKind, Service, Session};
use crate::image::config::{
    ACCEPTED_MANIFEST_TYPES, LayerDescriptor, MAX_CONFIG_BYTES, Manifest, Platform, manifest_for, parse_manifest,
    sha256_digest,
};
use crate::image::reference::parse;

mod config;

use config::image_config;
pub use config::{HistoryStep, ImageConfig, StepSecret, command_word};

/// How many of an image's users a message names.
pub const USES_NAMED: usize = 5;

/// `BatchGetImage` takes at most 100 image ids per call.
const IMAGES_PER_CALL: usize = 100;

/// An image of the account's own ECR that task definitions name, as read
/// from the registry: one entry per image and platform, however many
/// references (a tag, a digest) name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryImage {
    /// `REPOSITORY@DIGEST` (with the platform when it is not linux/amd64)
    /// once resolved; `REPOSITORY:TAG` or `REPOSITORY@DIGEST` as named when not.
    pub id: String,
    /// The repository's ARN followed by `/DIGEST` (as [`super::ecr::Image`]);
    /// the repository's ARN when the digest is unknown.
    pub arn: String,
    /// The region of the ECR registry holding it.
    pub region: String,
    pub repository: String,
    /// `linux/amd64`, ...: the platform ECS runs it on.
    pub platform: String,
    /// The image references, as task definitions write them, that resolve here.
    pub references: Vec<String>,
    /// Which containers name it.
    pub used_by: Vec<ImageUse>,
    /// What the reference resolves to (an index's digest when it is one).
    pub digest: Option<String>,
    pub config: Collected<ImageConfig>,
    /// What ECR's scan of it found (`DescribeImageScanFindings`): see
    /// [`super::image_vulnerabilities`].
    #[serde(default)]
    pub vulnerabilities: Collected<ImageVulnerabilities>,
    /// What its layers hold: see [`super::image_layers`].
    #[serde(default)]
    pub layers: Collected<ImageLayers>,
}

super::resource!(RegistryImage, id, arn);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ImageUse {
    /// The task definition's region.
    pub region: String,
    /// `family:revision`.
    pub task_definition: String,
    pub container: String,
}

impl RegistryImage {
    /// Whether `reference`, run on `platform`, is this image.
    pub fn is_named_by(&self, reference: &str, platform: &str) -> bool {
        self.platform == platform && self.references.iter().any(|named| named == reference)
    }

    /// Whether `reference` names this image's repository in its registry
    /// (account and region): the same content pulled from another region's
    /// copy is that copy running, not this one.
    pub fn is_in_repository_named_by(&self, reference: &str) -> bool {
        let Ok(parsed) = crate::image::reference::parse(reference) else { return false };
        let Some(registry) = parsed.ecr_registry() else { return false };
        let account = self.arn.split(':').nth(4);
        registry.region == self.region && parsed.repository == self.repository && account == Some(&*registry.account_id)
    }

    /// Whether a task that ECS reports running `digest` runs this image: the
    /// digest it resolved to (an index's, when it is one) or, once its config
    /// was read, the platform manifest's.
    pub fn has_digest(&self, digest: &str) -> bool {
        self.digest.as_deref() == Some(digest)
            || self.config.get().is_ok_and(|config| config.platform_manifest.as_deref() == Some(digest))
    }

    /// Adds references and uses that resolve to this image, each once and in order.
    fn add_names(&mut self, references: BTreeSet<String>, uses: BTreeSet<ImageUse>) {
        self.references.extend(references);
        self.used_by.extend(uses);
        self.references.sort();
        self.references.dedup();
        self.used_by.sort();
        self.used_by.dedup();
    }

    /// `task definition app:3 (container web, eu-west-1), ...`, for messages:
    /// the first [`USES_NAMED`], then how many more (one base image can be
    /// named by hundreds of task definitions).
    pub fn describe_uses(&self) -> String {
        let mut uses: Vec<String> = self
            .used_by
            .iter()
            .take(USES_NAMED)
            .map(|usage| {
                format!("task definition {} (container {}, {})", usage.task_definition, usage.container, usage.region)
            })
            .collect();
        if self.used_by.len() > USES_NAMED {
            uses.push(format!("and {} more", self.used_by.len() - USES_NAMED));
        }
        uses.join(", ")
    }
}

/// The platform a task definition runs its containers on.
pub fn platform_of(definition: &TaskDefinition) -> Platform {
    Platform::of_runtime(definition.os_family.as_deref(), definition.cpu_architecture.as_deref())
}

/// One way a task definition names an image: by tag or by digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Selector {
    Tag(String),
    Digest(String),
}

impl Selector {
    fn identifier(&self) -> ImageIdentifier {
        match self {
            Selector::Tag(tag) => ImageIdentifier::builder().image_tag(tag).build(),
            Selector::Digest(digest) => ImageIdentifier::builder().image_digest(digest).build(),
        }
    }

    /// Whether `id` (of an image or a failure in a `BatchGetImage` answer) is this one.
    fn names(&self, id: Option<&ImageIdentifier>) -> bool {
        match self {
            Selector::Tag(tag) => id.and_then(|id| id.image_tag()) == Some(tag.as_str()),
            Selector::Digest(digest) => id.and_then(|id| id.image_digest()) == Some(digest.as_str()),
        }
    }

    fn describe(&self, repository: &str) -> String {
        match self {
            Selector::Tag(tag) => format!("{repository}:{tag}"),
            Selector::Digest(digest) => format!("{repository}@{digest}"),
        }
    }
}

/// The references that name an image, and the containers that use it.
type Named = (BTreeSet<String>, BTreeSet<ImageUse>);
/// The images named, per (ECR region, repository) and (selector, platform).
type Wanted = BTreeMap<(String, String), BTreeMap<(Selector, Platform), Named>>;

/// Every image of the account's own ECR the regions' task definitions name
/// (those that could be read), read from the registry.
pub async fn collect(
    session: &Session,
    gate: &CallGate,
    target: &AccountTarget,
    regions: &BTreeMap<String, RegionInventory>,
) -> Vec<RegistryImage> {
    let wanted = wanted(target, regions);
    let fetcher = &session.blob_fetcher();
    let per_repository = join_all(wanted.into_iter().map(|((region, repository), selectors)| {
        let client = session.client::<Client>(&region);
        async move { repository_images(&client, gate, fetcher, target, &region, &repository, selectors).await }
    }))
    .await;
    per_repository.into_iter().flatten().collect()
}

/// What the judged task definitions name, and the digests running tasks
/// run: a tag that moved since a task started leaves the task running an
/// image no task definition names any more.
fn wanted(target: &AccountTarget, regions: &BTreeMap<String, RegionInventory>) -> Wanted {
    let mut wanted: Wanted = BTreeMap::new();
    let mut want = |image: &str, selector: Option<Selector>, platform: &Platform, usage: ImageUse| {
        let Ok(reference) = parse(image) else { return };
        let Some(ecr) = reference.ecr_registry().filter(|ecr| ecr.account_id == target.account_id) else { return };
        // ECS pulls the digest when there is one, whatever the tag says.
        let selector = selector.unwrap_or_else(|| match (&reference.digest, &reference.tag) {
            (Some(digest), _) => Selector::Digest(digest.clone()),
            (None, Some(tag)) => Selector::Tag(tag.clone()),
            (None, None) => Selector::Tag("latest".to_owned()),
        });
        let named = match &selector {
            Selector::Digest(digest) if reference.digest.is_none() => format!("{}@{digest}", reference.location()),
            _ => image.to_owned(),
        };
        let (references, uses) = wanted
            .entry((ecr.region, reference.repository.clone()))
            .or_default()
            .entry((selector, platform.clone()))
            .or_default();
        references.insert(named);
        uses.insert(usage);
    };
    for (region, inventory) in regions {
        let Collected::Ok(entries) = &inventory.ecs.task_definitions else { continue };
        let definitions: Vec<&TaskDefinition> =
            entries.iter().filter_map(|entry| entry.definition.get().ok()).collect();
        for definition in &definitions {
            let platform = platform_of(definition);
            for container in &definition.containers {
                let usage = ImageUse {
                    region: region.clone(),
                    task_definition: definition.id.clone(),
                    container: container.name.clone(),
                };
                want(&container.image, None, &platform, usage);
            }
        }
        let Collected::Ok(clusters) = &inventory.ecs.clusters else { continue };
        let tasks = clusters.iter().filter_map(|cluster| cluster.running_tasks.get().ok()).flatten();
        for task in tasks {
            let definition = definitions.iter().find(|definition| definition.arn == task.task_definition_arn);
            let platform =
                definition.map_or_else(|| Platform::of_runtime(None, None), |definition| platform_of(definition));
            for container in &task.containers {
                let Some(digest) = &container.image_digest else { continue };
                let usage = ImageUse {
                    region: region.clone(),
                    task_definition: task.revision().to_owned(),
                    container: container.name.clone(),
                };
                want(&container.image, Some(Selector::Digest(digest.clone())), &platform, usage);
            }
        }
    }
    wanted
}

/// A manifest as `BatchGetImage` answered it.
#[derive(Debug, Clone)]
struct Fetched {
    digest: String,
    manifest: String,
    media_type: Option<String>,
}

/// A manifest, and the platform manifest to read when it is an index.
type Resolved = (Fetched, Option<String>);
/// The digest the reference resolves to, the platform manifest's, the
/// config blob's, and the layers the image manifest names.
type ConfigOf = (String, Option<String>, String, Vec<LayerDescriptor>);

async fn repository_images(
    client: &Client,
    gate: &CallGate,
    fetcher: &BlobFetcher,
    target: &AccountTarget,
    region: &str,
    repository: &str,
    selectors: BTreeMap<(Selector, Platform), Named>,
) -> Vec<RegistryImage> {
    let repository_arn = target.arn("ecr", region, &format!("repository/{repository}"));
    let distinct: Vec<Selector> =
        selectors.keys().map(|(selector, _)| selector.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let manifests = batch_get_image(client, gate, region, repository, &distinct).await;

    // An index names one manifest per platform: those are a second round.
    let resolved: Vec<((Selector, Platform), Result<Resolved, CollectError>)> = selectors
        .keys()
        .map(|(selector, platform)| {
            let outcome = resolve(manifests[selector].clone(), selector, platform, region, repository);
            ((selector.clone(), platform.clone()), outcome)
        })
        .collect();
    let platform_digests: BTreeSet<Selector> = resolved
        .iter()
        .filter_map(|(_, outcome)| outcome.as_ref().ok()?.1.clone())
        .map(Selector::Digest)
        .filter(|digest| !manifests.contains_key(digest))
        .collect();
    let platform_digests: Vec<Selector> = platform_digests.into_iter().collect();
    let platform_manifests = if platform_digests.is_empty() {
        BTreeMap::new()
    } else {
        batch_get_image(client, gate, region, repository, &platform_digests).await
    };
    let lookup = |digest: &str| {
        let selector = Selector::Digest(digest.to_owned());
        manifests.get(&selector).or_else(|| platform_manifests.get(&selector)).cloned()
    };

    // The config digest of each image, then each distinct blob once.
    let configs_of: Vec<(Selector, Platform, Result<ConfigOf, CollectError>)> = resolved
        .into_iter()
        .map(|((selector, platform), outcome)| (selector, platform, config_of(outcome, lookup, region)))
        .collect();
    let blobs: BTreeSet<String> = configs_of
        .iter()
        .filter_map(|(_, _, config)| config.as_ref().ok().map(|(_, _, blob, _)| blob.clone()))
        .collect();
    let fetched_blobs: BTreeMap<String, Result<Vec<u8>, CollectError>> =
        join_all(blobs.into_iter().map(|digest| async move {
            let blob = config_blob(client, gate, fetcher, region, repository, &digest).await;
            (digest, blob)
        }))
        .await
        .into_iter()
        .collect();

    // One entry per resolved image and platform.
    let mut images: BTreeMap<String, RegistryImage> = BTreeMap::new();
    for (selector, platform, config) in configs_of {
        let (references, uses) = selectors[&(selector.clone(), platform.clone())].clone();
        let image = registry_image(&selector, &platform, config, &fetched_blobs, region, repository, &repository_arn);
        images.entry(image.id.clone()).or_insert(image).add_names(references, uses);
    }
    images.into_values().collect()
}

/// The image a selector resolved to on `platform`, with its config read
/// from the fetched blobs, as yet named by no reference.
fn registry_image(
    selector: &Selector,
    platform: &Platform,
    config: Result<ConfigOf, CollectError>,
    blobs: &BTreeMap<String, Result<Vec<u8>, CollectError>>,
    region: &str,
    repository: &str,
    repository_arn: &str,
) -> RegistryImage {
    let platform_note =
        if *platform == Platform::of_runtime(None, None) { String::new() } else { format!(" ({platform})") };
    let (id, arn, digest, config) = match config {
        Ok((digest, platform_manifest, config_digest, layers)) => {
            let parsed = blobs[&config_digest].clone().and_then(|bytes| {
                image_config(&bytes, platform_manifest.clone(), &config_digest, layers)
                    .map_err(|message| malformed(region, message))
            });
            (
                format!("{repository}@{digest}{platform_note}"),
                format!("{repository_arn}/{digest}"),
                Some(digest),
                parsed,
            )
        }
        Err(err) => {
            (format!("{}{platform_note}", selector.describe(repository)), repository_arn.to_owned(), None, Err(err))
        }
    };
    RegistryImage {
        id,
        arn,
        region: region.to_owned(),
        repository: repository.to_owned(),
        platform: platform.to_string(),
        references: Vec::new(),
        used_by: Vec::new(),
        digest,
        config: config.into(),
        vulnerabilities: Collected::NotRequested,
        layers: Collected::NotRequested,
    }
}

/// A selector's manifest, and the platform manifest to read where it is an
/// index.
fn resolve(
    fetched: Result<Fetched, CollectError>,
    selector: &Selector,
    platform: &Platform,
    region: &str,
    repository: &str,
) -> Result<Resolved, CollectError> {
    let fetched = fetched?;
    match parse_manifest(&fetched.manifest, fetched.media_type.as_deref()) {
        Ok(Manifest::Index(entries)) => {
            let digest = manifest_for(&entries, platform).map_err(|err| malformed(region, err.to_string()))?;
            Ok((fetched, Some(digest)))
        }
        Ok(Manifest::Image { .. }) => Ok((fetched, None)),
        Err(err) => Err(malformed(region, format!("{}: {err}", selector.describe(repository)))),
    }
}

/// The digest a resolved manifest stands for, its platform manifest's, and
/// the config blob's digest the image manifest names.
fn config_of(
    outcome: Result<Resolved, CollectError>,
    lookup: impl Fn(&str) -> Option<Result<Fetched, CollectError>>,
    region: &str,
) -> Result<ConfigOf, CollectError> {
    let (fetched, platform_digest) = outcome?;
    let image = match &platform_digest {
        None => fetched.clone(),
        Some(digest) => lookup(digest)
            .unwrap_or_else(|| Err(malformed(region, format!("no answer for platform manifest {digest}"))))?,
    };
    match parse_manifest(&image.manifest, image.media_type.as_deref()) {
        Ok(Manifest::Image { config_digest, layers, .. }) => {
            Ok((fetched.digest, platform_digest, config_digest, layers))
        }
        Ok(Manifest::Index(_)) => {
            Err(malformed(region, format!("platform manifest {} is itself an index", image.digest)))
        }
        Err(err) => Err(malformed(region, format!("{}: {err}", image.digest))),
    }
}

fn malformed(region: &str, message: impl Into<String>) -> CollectError {
    CollectError::new(Service::Ecr, "BatchGetImage", region, ErrorKind::MalformedResponse, message)
}

/// The manifests of `selectors`, 100 per call: each one's manifest, or why
/// it could not be had (the call failed, or its `failures[]` name it).
async fn batch_get_image(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
    selectors: &[Selector],
) -> BTreeMap<Selector, Result<Fetched, CollectError>> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "BatchGetImage" };
    let batches = join_all(selectors.chunks(IMAGES_PER_CALL).map(|batch| async move {
        let ids: Vec<ImageIdentifier> = batch.iter().map(Selector::identifier).collect();
        let answer = site
            .once(|| {
                client
                    .batch_get_image()
                    .repository_name(repository)
                    .set_image_ids(Some(ids.clone()))
                    .set_accepted_media_types(Some(ACCEPTED_MANIFEST_TYPES.map(str::to_owned).to_vec()))
                    .send()
            })
            .await;
        (batch, answer)
    }))
    .await;
    let mut out = BTreeMap::new();
    for (batch, answer) in batches {
        let output = match answer {
            Ok(output) => output,
            Err(err) => {
                out.extend(batch.iter().map(|selector| (selector.clone(), Err(err.clone()))));
                continue;
            }
        };
        for selector in batch {
            out.insert(selector.clone(), answer_for(&output, selector, region, repository));
        }
    }
    out
}

/// What a `BatchGetImage` answer says of `selector`: its manifest, or the
/// failure it reports.
fn answer_for(
    output: &BatchGetImageOutput,
    selector: &Selector,
    region: &str,
    repository: &str,
) -> Result<Fetched, CollectError> {
    if let Some(image) = output.images().iter().find(|image| selector.names(image.image_id())) {
        return match (image.image_id().and_then(|id| id.image_digest()), image.image_manifest()) {
            (Some(digest), Some(manifest)) => Ok(Fetched {
                digest: digest.to_owned(),
                manifest: manifest.to_owned(),
                media_type: image.image_manifest_media_type().map(str::to_owned),
            }),
            _ => Err(malformed(region, format!("{}: no digest or manifest", selector.describe(repository)))),
        };
    }
    let Some(failure) = output.failures().iter().find(|failure| selector.names(failure.image_id())) else {
        return Err(malformed(
            region,
            format!("{}: neither returned nor reported as a failure", selector.describe(repository)),
        ));
    };
    let code = failure.failure_code().map(|code| code.as_str().to_owned());
    let kind = match code.as_deref() {
        Some("ImageNotFound" | "ImageTagDoesNotMatchDigest") => ErrorKind::NotFound,
        _ => ErrorKind::ServiceError,
    };
    Err(CollectError::new(
        Service::Ecr,
        "BatchGetImage",
        region,
        kind,
        format!(
            "{}: {}: {}",
            selector.describe(repository),
            code.as_deref().unwrap_or("failure"),
            failure.failure_reason().unwrap_or_default()
        ),
    ))
}

/// The config blob: a presigned URL from ECR, then one GET of it.
async fn config_blob(
    client: &Client,
    gate: &CallGate,
    fetcher: &BlobFetcher,
    region: &str,
    repository: &str,
    digest: &str,
) -> Result<Vec<u8>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetDownloadUrlForLayer" };
    let output = site
        .once(|| client.get_download_url_for_layer().repository_name(repository).layer_digest(digest).send())
        .await?;
    let Some(url) = output.download_url() else {
        return Err(CollectError::new(
            Service::Ecr,
            site.operation,
            region,
            ErrorKind::MalformedResponse,
            format!("no downloadUrl for config blob {digest} of {repository}"),
        ));
    };
    let bytes = fetcher.get(gate, region, url, MAX_CONFIG_BYTES).await?;
    let actual = sha256_digest(&bytes);
    if actual != digest {
        return Err(CollectError::new(
            Service::Ecr,
            crate::aws::BLOB_GET,
            region,
            ErrorKind::MalformedResponse,
            format!("config blob of {repository} should have digest {digest} but has {actual}"),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::fixtures;

    #[test]
    fn messages_name_a_few_uses_and_count_the_rest() {
        let mut image = fixtures::registry_image(&fixtures::own_ecr_image("app", "v1"), Collected::NotRequested);
        assert_eq!(image.describe_uses(), "task definition app:1 (container web, eu-west-1)");
        image.used_by = (1..=8)
            .map(|n| ImageUse {
                region: "eu-west-1".into(),
                task_definition: format!("app:{n}"),
                container: "web".into(),
            })
            .collect();
        let uses = image.describe_uses();
        assert!(uses.ends_with("task definition app:5 (container web, eu-west-1), and 3 more"), "{uses}");
    }

    #[test]
    fn only_the_accounts_own_ecr_images_are_wanted_once_per_selector_and_platform() {
        let target = AccountTarget { account_id: fixtures::ACCOUNT.into(), partition: "aws".into(), regions: vec![] };
        let mut web = fixtures::container("web");
        web.image = fixtures::own_ecr_image("app", "v1");
        let mut pinned = fixtures::container("pinned");
        pinned.image = format!("{}@sha256:{}", fixtures::own_ecr_image("app", "v1"), "a".repeat(64));
        let mut hub = fixtures::container("hub");
        hub.image = "nginx:1.27".into();
        let mut other = fixtures::container("other");
        other.image = "999988887777.dkr.ecr.eu-west-1.amazonaws.com/app:v1".into();
        let mut arm = fixtures::task_definition("arm", 1, vec![web.clone()]);
        arm.cpu_architecture = Some("ARM64".into());
        let account = fixtures::account_with_task_definitions(vec![
            fixtures::task_definition("app", 1, vec![web.clone(), pinned, hub, other]),
            fixtures::task_definition("app2", 1, vec![web]),
            arm,
        ]);
        let wanted = wanted(&target, &account.regions);
        let selectors = &wanted[&("eu-west-1".to_owned(), "app".to_owned())];
        assert_eq!(wanted.len(), 1, "neither Docker Hub nor another account's ECR");
        // v1 on amd64 (named by two task definitions), v1 on arm64, and the digest.
        assert_eq!(selectors.len(), 3);
        let amd64 = &selectors[&(Selector::Tag("v1".into()), Platform::of_runtime(None, None))];
        assert_eq!(amd64.1.len(), 2, "both uses kept");
        assert!(
            selectors.keys().any(|(selector, _)| matches!(selector, Selector::Digest(_))),
            "the digest wins over the tag"
        );
    }
}
