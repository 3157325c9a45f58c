//! `bulkhead image REFERENCE`: the pre-deployment audit of one ECR image.
//! The image is read as a scan reads an image in use (its manifest for the
//! platform, its config, every layer, ECR's scan of it) with its
//! repository's listing cut to the image and its signatures, and judged by
//! every check that judges an image by what it holds, how it is signed or
//! scanned, or where it comes from; the findings go through the same
//! pipeline as a scan's, so the reports, `--fail-on` and the exit codes are
//! a scan's. Nothing else of the account is read.
//!
//! The checks judge images in use, named by task definitions; here the one
//! image is named by a stand-in task definition, `bulkhead-image:0`, whose
//! one container (named after the repository) runs it on the platform
//! asked for. Findings name that stand-in where a scan names a task
//! definition.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::time::Duration;

use anyhow::Result;
use jiff::Timestamp;

use crate::aws::session::RetryMode;
use crate::aws::{CallGate, ConcurrencyLimits, Session, SessionOptions, chain};
use crate::cli::ImageArgs;
use crate::discovery::caller_identity;
use crate::image::reference::parse;
use crate::inventory::ecr_signing::keep_only_images;
use crate::inventory::ecs::{Container, EcsRegion, TaskDefinition, TaskDefinitionEntry};
use crate::inventory::image_layers::{self, LayerScan};
use crate::inventory::{
    AccountInventory, AccountTarget, CollectContext, Collected, Inventory, Needs, RegionInventory, ResourceKind,
    collect_ecr_listings, collect_ecr_signing_statuses, image_configs, image_vulnerabilities,
};
use crate::outcome::Outcome;
use crate::pipeline::{Collection, Inputs, Memory, Recording, RunRecord, evaluate_whole};
use crate::plan::{self, CheckSelection};
use crate::progress::Progress;
use crate::usage::UsageError;

/// The checks `bulkhead image` runs: those that judge an image by its
/// config, its layers, its signature, its scan findings or its registry,
/// and need nothing of the account but the image and its repository's
/// listing (a task running it, a load balancer in front of it, the
/// repository's settings are the scan's).
pub const IMAGE_CHECKS: [&str; 9] = [
    "ecr_images_base_os_supported",
    "ecr_images_no_secrets_in_layers",
    "ecs_task_definitions_containers_non_root_user",
    "ecs_task_definitions_images_from_trusted_registries",
    "ecs_task_definitions_images_no_secrets_in_config",
    "ecs_task_definitions_images_no_ssh",
    "ecs_task_definitions_images_no_vulnerabilities",
    "ecs_task_definitions_images_not_outdated",
    "ecs_task_definitions_images_signed",
];

/// The stand-in task definition's family and revision.
const FAMILY: &str = "bulkhead-image";

/// The image asked for: where its registry is and how ECS would run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audited {
    pub reference: String,
    pub account_id: String,
    pub region: String,
    pub repository: String,
    /// ECS's `runtimePlatform.cpuArchitecture` for the platform asked for.
    pub cpu_architecture: Option<String>,
}

impl Audited {
    /// Validates the reference (an ECR image) and the platform before any AWS call.
    pub fn parse(reference: &str, platform: Option<&str>) -> Result<Audited, UsageError> {
        let parsed = parse(reference).map_err(|err| UsageError::new(err.to_string()))?;
        let Some(registry) = parsed.ecr_registry() else {
            return Err(UsageError::new(format!(
                "{reference} is not in ECR: bulkhead image reads ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG or @sha256:DIGEST"
            )));
        };
        let cpu_architecture = match platform {
            None | Some("linux/amd64") => None,
            Some("linux/arm64") => Some("ARM64".to_owned()),
            Some(other) => {
                return Err(UsageError::new(format!(
                    "--platform {other}: ECS runs linux/amd64 and linux/arm64 images (give one of them)"
                )));
            }
        };
        Ok(Audited {
            reference: reference.trim().to_owned(),
            account_id: registry.account_id,
            region: registry.region,
            repository: parsed.repository,
            cpu_architecture,
        })
    }

    /// The stand-in task definition that runs the image, as listed in its region.
    fn task_definition(&self, partition: &str) -> TaskDefinitionEntry {
        let id = format!("{FAMILY}:0");
        let arn = format!("arn:{partition}:ecs:{}:{}:task-definition/{id}", self.region, self.account_id);
        let container_name = self.repository.rsplit('/').next().unwrap_or(&self.repository).to_owned();
        let definition = TaskDefinition {
            id: id.clone(),
            arn: arn.clone(),
            family: FAMILY.to_owned(),
            revision: 0,
            containers: vec![Container { name: container_name, image: self.reference.clone(), ..Container::default() }],
            cpu_architecture: self.cpu_architecture.clone(),
            ..TaskDefinition::default()
        };
        TaskDefinitionEntry {
            id,
            arn,
            requested: self.reference.clone(),
            reasons: vec!["the image given to bulkhead image".to_owned()],
            definition: Collected::Ok(definition),
        }
    }
}

pub async fn run(args: &ImageArgs) -> Result<Outcome> {
    chain::branch(audit(args)).await
}

async fn audit(args: &ImageArgs) -> Result<Outcome> {
    let started_at = Timestamp::now();
    let settings = args.evaluation.settings(args.stats);
    if settings.output.upload.is_some() || settings.remote_store.is_some() {
        return Err(
            UsageError::new("bulkhead image writes local reports: give --output-dir and --store local paths").into()
        );
    }
    let audited = Audited::parse(&args.reference, args.platform.as_deref())?;
    let selection = CheckSelection {
        include: Some(IMAGE_CHECKS.iter().map(|id| (*id).to_owned()).collect()),
        ..CheckSelection::default()
    };
    let inputs = Inputs::load(&selection, &settings)?;
    let limit = NonZeroUsize::new(32).expect("32 is not zero");
    let gate = CallGate::new(ConcurrencyLimits { global: limit, per_endpoint: limit });
    let options = SessionOptions {
        profile: args.profile.clone(),
        region: Some(audited.region.clone()),
        endpoint_url: args.endpoint_url.clone(),
        retry_mode: RetryMode::Standard,
        max_attempts: 8,
        connect_timeout: Duration::from_secs(10),
        operation_timeout: Duration::from_secs(60),
    };
    let session = Session::load(&options, gate.ledger().clone()).await?;
    // Recorded in the scan store only when --store is given: an image
    // audit is no scan of the account to compare the next one with.
    let memory = Memory::open(&settings, Recording::OnlyWithStore, RunRecord::default())?;
    let caller = caller_identity(&session, &gate).await?;
    let _lock = settings.output.lock()?;
    let layers = LayerScan::with_limits(&inputs.config.layers);
    let needs = plan::needs(&inputs.checks);
    let account = collect(&session, &gate, &needs, &layers, &audited, &caller.partition).await;
    let collection = Collection {
        started_at,
        principal_arn: caller.arn,
        regions: vec![audited.region.clone()],
        inventory: Inventory {
            accounts: BTreeMap::from([(account.account_id.clone(), account)]),
            ..Inventory::default()
        },
        stats: gate.ledger().stats(),
        shard: None,
    };
    let progress = Progress::start(true, 0, inputs.checks.len());
    evaluate_whole(&inputs, collection, &settings, memory, &progress)
}

/// The inventory of the one image: the stand-in task definition, the image
/// read from the registry (manifest, config, layers), and what its
/// repository's listing, ECR's scan and ECR managed signing say of it.
async fn collect(
    session: &Session,
    gate: &CallGate,
    needs: &Needs,
    layers: &LayerScan,
    audited: &Audited,
    partition: &str,
) -> AccountInventory {
    let target = AccountTarget {
        account_id: audited.account_id.clone(),
        partition: partition.to_owned(),
        regions: vec![audited.region.clone()],
    };
    let ctx = CollectContext { session, gate, needs, layers, on_region_done: None };
    let ecr_client = session.client::<aws_sdk_ecr::Client>(&audited.region);
    let region = RegionInventory {
        ecs: EcsRegion {
            clusters: Collected::Ok(Vec::new()),
            undescribed_clusters: Vec::new(),
            task_definitions: Collected::Ok(vec![audited.task_definition(partition)]),
        },
        ..RegionInventory::default()
    };
    let mut regions = BTreeMap::from([(audited.region.clone(), region)]);
    // The repository's listing does not wait for the image to resolve.
    let (mut images, mut ecr) = futures::join!(
        image_configs::collect(session, gate, &target, &regions),
        collect_ecr_listings(&ctx, &ecr_client, &audited.region, Some(&audited.repository)),
    );
    if let Collected::Ok(repositories) = &mut ecr.repositories {
        let digests: Vec<&str> = images.iter().filter_map(|image| image.digest.as_deref()).collect();
        keep_only_images(repositories, &digests);
    }
    collect_ecr_signing_statuses(&ctx, &ecr_client, &audited.region, &mut ecr).await;
    regions.entry(audited.region.clone()).or_default().ecr = ecr;
    if needs.wants(ResourceKind::ImageVulnerabilities) {
        image_vulnerabilities::collect(session, gate, &regions, &mut images).await;
    }
    image_layers::collect(session, gate, layers, &mut images).await;
    AccountInventory {
        account_id: target.account_id,
        partition: target.partition,
        regions,
        trails: BTreeMap::new(),
        iam: Default::default(),
        registry_images: Collected::Ok(images),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_platforms_are_checked_before_any_call() {
        let tagged = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1";
        let audited = Audited::parse(tagged, Some("linux/arm64")).unwrap();
        assert_eq!((audited.account_id.as_str(), audited.region.as_str()), ("123456789012", "eu-west-1"));
        assert_eq!(audited.repository, "team/app");
        assert_eq!(audited.cpu_architecture.as_deref(), Some("ARM64"));
        let entry = audited.task_definition("aws");
        let Collected::Ok(definition) = &entry.definition else { unreachable!() };
        assert_eq!(definition.containers[0].name, "app");
        assert_eq!(entry.arn, "arn:aws:ecs:eu-west-1:123456789012:task-definition/bulkhead-image:0");

        for (reference, platform, why) in [
            ("docker.io/library/nginx:1.27", None, "not in ECR"),
            (tagged, Some("windows/amd64"), "linux/amd64 and linux/arm64"),
            ("not a reference", None, "not a valid image reference"),
        ] {
            let err = Audited::parse(reference, platform).unwrap_err();
            assert!(err.to_string().contains(why), "{reference}: {err}");
        }
    }

    #[test]
    fn every_image_check_is_registered() {
        for id in IMAGE_CHECKS {
            assert!(crate::checks::registry::find(id).is_some(), "{id}");
        }
    }
}
