//! ECR registry and image checks.

mod cross_account;
pub(super) mod signature;

pub mod ecr_images_internet_exposed_no_vulnerabilities;
pub mod ecr_images_signed;
pub mod ecr_registry_policy_trusted_accounts_only;
pub mod ecr_registry_scan_images_on_push_enabled;
pub mod ecr_repositories_encrypted_with_kms;
pub mod ecr_repositories_lifecycle_policy_enabled;
pub mod ecr_repositories_not_publicly_accessible;
pub mod ecr_repositories_policy_trusted_accounts_only;
pub mod ecr_repositories_scan_images_on_push_enabled;
pub mod ecr_repositories_scan_vulnerabilities_in_latest_image;
pub mod ecr_repositories_tag_immutability;
