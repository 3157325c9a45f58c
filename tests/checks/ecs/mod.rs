//! ECS: task definitions, services, clusters.

use bulkhead::aws::Service;
use bulkhead::inventory::ecs::{Cluster, Container, EcsService, RunningTask, TaskDefinition};
use bulkhead::inventory::image_configs::ImageConfig;
use bulkhead::inventory::{AccountInventory, Undescribed};

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod ecs_cluster_container_insights_enabled;
mod ecs_running_tasks_images_from_trusted_registries;
mod ecs_running_tasks_images_match_task_definition;
mod ecs_running_tasks_images_signed;
mod ecs_service_fargate_latest_platform_version;
mod ecs_service_no_assign_public_ip;
mod ecs_task_definitions_containers_non_root_user;
mod ecs_task_definitions_containers_readonly_access;
mod ecs_task_definitions_host_namespace_not_shared;
mod ecs_task_definitions_host_networking_mode_users;
mod ecs_task_definitions_images_from_trusted_registries;
mod ecs_task_definitions_images_no_secrets_in_config;
mod ecs_task_definitions_images_no_ssh;
mod ecs_task_definitions_images_no_vulnerabilities;
mod ecs_task_definitions_images_not_outdated;
mod ecs_task_definitions_images_pinned_by_digest;
mod ecs_task_definitions_images_signed;
mod ecs_task_definitions_logging_block_mode;
mod ecs_task_definitions_logging_enabled;
mod ecs_task_definitions_no_environment_secrets;
mod ecs_task_definitions_no_privileged_containers;
mod ecs_task_set_no_assign_public_ip;
// END test modules.

/// One task definition `app:1` with one container, edited by `edit`.
fn with_container(edit: impl FnOnce(&mut Container)) -> AccountInventory {
    let mut container = container("web");
    edit(&mut container);
    account_with_task_definitions(vec![task_definition("app", 1, vec![container])])
}

fn with_definition(edit: impl FnOnce(&mut TaskDefinition)) -> AccountInventory {
    let mut definition = task_definition("app", 1, vec![container("web")]);
    edit(&mut definition);
    account_with_task_definitions(vec![definition])
}

/// The three ERROR cases every task definition check shares: the listing
/// failed, one definition could not be read, the revisions in use are unknown.
fn assert_task_definition_errors(check: &str) {
    let listing = account_with(|region| {
        region.ecs.clusters = Collected::Ok(Vec::new());
        region.ecs.task_definitions = Collected::Failed(denied(Service::Ecs, "ListTaskDefinitionFamilies"));
    });
    assert_eq!(status(check, &listing), Status::Error);

    let mut unreadable = account_with_task_definitions(vec![task_definition("app", 1, vec![])]);
    let region = unreadable.regions.get_mut(REGION).unwrap();
    let Collected::Ok(entries) = &mut region.ecs.task_definitions else { unreachable!() };
    entries[0].definition = Collected::Failed(denied(Service::Ecs, "DescribeTaskDefinition"));
    let finding = only(check, &unreadable);
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "app:1"), "the revision's identity");

    let mut in_use_unknown = account_with_task_definitions(vec![task_definition("app", 1, vec![container("web")])]);
    in_use_unknown.regions.get_mut(REGION).unwrap().ecs.clusters =
        Collected::Failed(denied(Service::Ecs, "ListClusters"));
    let findings = run(check, &in_use_unknown);
    assert!(
        findings.iter().any(|finding| finding.status == Status::Error && finding.resource_id == REGION),
        "{findings:#?}"
    );
}

/// `app:1` whose one container `web` runs `app:v1` from the account's own
/// ECR, with no user, and the image as read from the registry.
fn with_registry_image(config: Collected<ImageConfig>) -> AccountInventory {
    let reference = own_ecr_image("app", "v1");
    let mut web = container("web");
    web.image = reference.clone();
    web.user = None;
    let mut account = account_with_task_definitions(vec![task_definition("app", 1, vec![web])]);
    account.registry_images = Collected::Ok(vec![registry_image(&reference, config)]);
    account
}

/// [`with_registry_image`] with `edit` applied to a passing config.
fn with_image_config(edit: impl FnOnce(&mut ImageConfig)) -> AccountInventory {
    let mut config = image_config();
    edit(&mut config);
    with_registry_image(Collected::Ok(config))
}

/// The ERROR cases every image check shares: the image could not be read
/// (under its own identity), the images were not collected, the task
/// definitions could not be listed.
fn assert_registry_image_errors(check: &str) {
    let unread = with_registry_image(Collected::Failed(denied(Service::Ecr, "GetDownloadUrlForLayer")));
    let finding = only(check, &unread);
    assert_eq!(finding.status, Status::Error);
    assert_eq!(finding.resource_id, format!("app@sha256:{}", "d".repeat(64)), "the image's identity");
    assert!(finding.message.contains("GetDownloadUrlForLayer"), "{}", finding.message);
    assert!(
        finding.message.contains("used by task definition app:1 (container web, eu-west-1)"),
        "{}",
        finding.message
    );

    let mut not_collected = with_registry_image(Collected::Ok(image_config()));
    not_collected.registry_images = Collected::NotRequested;
    assert_eq!(status(check, &not_collected), Status::Error);

    let mut listing = with_registry_image(Collected::Ok(image_config()));
    listing.regions.get_mut(REGION).unwrap().ecs.task_definitions =
        Collected::Failed(denied(Service::Ecs, "ListTaskDefinitionFamilies"));
    let findings = run(check, &listing);
    assert!(findings.iter().any(|f| f.status == Status::Error && f.resource_id == REGION), "{findings:#?}");
}

fn with_services(services: Vec<EcsService>) -> AccountInventory {
    let cluster = Cluster { services: Collected::Ok(services), ..cluster("prod") };
    account_with(|region| region.ecs.clusters = Collected::Ok(vec![cluster]))
}

/// The ERROR cases the service checks share.
fn assert_service_errors(check: &str) {
    let unlisted = Cluster { services: Collected::Failed(denied(Service::Ecs, "ListServices")), ..cluster("prod") };
    let finding = only(check, &account_with(|region| region.ecs.clusters = Collected::Ok(vec![unlisted])));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "prod"));
    let listing = account_with(|region| region.ecs.clusters = Collected::Failed(denied(Service::Ecs, "ListClusters")));
    assert_eq!(status(check, &listing), Status::Error);
    // Named in DescribeServices' failures[]: ERROR under the service's identity.
    let worker = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/worker");
    let mut undescribed = Undescribed::new(&worker, denied(Service::Ecs, "DescribeServices"));
    undescribed.id = "prod/worker".into();
    let prod = Cluster { undescribed_services: vec![undescribed], ..fixtures::cluster("prod") };
    let finding = only(check, &account_with(|region| region.ecs.clusters = Collected::Ok(vec![prod])));
    assert_eq!(
        (finding.status, finding.resource_id.as_str(), finding.resource_arn.as_str()),
        (Status::Error, "prod/worker", worker.as_str())
    );
    assert_undescribed_cluster_is_error(check);
}

/// A cluster named in DescribeClusters' failures[] is ERROR, never absent.
fn assert_undescribed_cluster_is_error(check: &str) {
    let gone = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/gone");
    let account = account_with(|region| {
        region.ecs.clusters = Collected::Ok(Vec::new());
        region.ecs.undescribed_clusters = vec![Undescribed::new(&gone, denied(Service::Ecs, "DescribeClusters"))];
    });
    let finding = only(check, &account);
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "gone"));
}

/// `app:1` (its one container `web` naming `image`), run by service `web`
/// of cluster `prod`, the task edited by `edit`.
fn with_running_task(image: &str, edit: impl FnOnce(&mut RunningTask)) -> AccountInventory {
    let mut web = container("web");
    web.image = image.to_owned();
    let definition = task_definition("app", 1, vec![web]);
    let mut prod = cluster("prod");
    let mut task = running_task(&prod, Some("web"), &definition);
    edit(&mut task);
    prod.running_tasks = Collected::Ok(vec![task]);
    let mut account = account_with_task_definitions(vec![definition]);
    account.regions.get_mut(REGION).unwrap().ecs.clusters = Collected::Ok(vec![prod]);
    account
}

/// The ERROR cases every running-task check shares: the clusters could not
/// be listed, one cluster's tasks could not be listed (under the cluster's
/// identity).
fn assert_running_task_errors(check: &str, image: &str) {
    let mut clusters = with_running_task(image, |_| {});
    clusters.regions.get_mut(REGION).unwrap().ecs.clusters = Collected::Failed(denied(Service::Ecs, "ListClusters"));
    assert_eq!(status(check, &clusters), Status::Error);

    let mut tasks = with_running_task(image, |_| {});
    let Collected::Ok(listed) = &mut tasks.regions.get_mut(REGION).unwrap().ecs.clusters else { unreachable!() };
    listed[0].running_tasks = Collected::Failed(denied(Service::Ecs, "ListTasks"));
    let finding = only(check, &tasks);
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "prod"), "the cluster's identity");
}
