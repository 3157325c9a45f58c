//! ECR: the registry of each region, repositories and images.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::ecr::Repository;

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod ecr_images_internet_exposed_no_vulnerabilities;
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

fn repositories(repositories: Vec<Repository>) -> AccountInventory {
    account_with(|region| region.ecr.repositories = Collected::Ok(repositories))
}

fn repositories_denied() -> AccountInventory {
    account_with(|region| {
        region.ecr.repositories = Collected::Failed(denied(Service::Ecr, "DescribeRepositories"));
    })
}
