//! ECR: the registry of each region, repositories and images.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::ecr::Repository;

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod ecr_images_base_os_supported;
mod ecr_images_internet_exposed_no_vulnerabilities;
mod ecr_images_no_secrets_in_layers;
mod ecr_images_signed;
mod ecr_registry_policy_trusted_accounts_only;
mod ecr_registry_scan_images_on_push_enabled;
mod ecr_repositories_encrypted_with_kms;
mod ecr_repositories_lifecycle_policy_enabled;
mod ecr_repositories_not_publicly_accessible;
mod ecr_repositories_policy_trusted_accounts_only;
mod ecr_repositories_scan_images_on_push_enabled;
mod ecr_repositories_scan_vulnerabilities_in_latest_image;
mod ecr_repositories_tag_immutability;
// END test modules.

/// `app:1` whose container `web` runs `app:v1` of the account's own ECR,
/// with a passing config and `layers` as read.
pub(crate) fn with_layers(layers: bulkhead::inventory::image_layers::ImageLayers) -> AccountInventory {
    let reference = own_ecr_image("app", "v1");
    let mut web = container("web");
    web.image = reference.clone();
    let mut account = account_with_task_definitions(vec![task_definition("app", 1, vec![web])]);
    let mut image = registry_image(&reference, Collected::Ok(image_config()));
    image.layers = Collected::Ok(layers);
    account.registry_images = Collected::Ok(vec![image]);
    account
}

fn repositories(repositories: Vec<Repository>) -> AccountInventory {
    account_with(|region| region.ecr.repositories = Collected::Ok(repositories))
}

fn repositories_denied() -> AccountInventory {
    account_with(|region| {
        region.ecr.repositories = Collected::Failed(denied(Service::Ecr, "DescribeRepositories"));
    })
}
