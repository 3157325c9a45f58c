//! Integration tests against the moto emulator: one module per check, each
//! with its fixture in `tests/fixtures/<check_id>.yaml`.

mod support;

mod cli;
mod cloudtrail_multi_region_enabled;
mod collection_errors;
mod ec2_networkacl_allow_ingress;
mod ec2_securitygroup_allow_ingress_from_internet;
mod ecr_images_signed;
mod ecr_repositories_not_publicly_accessible;
mod reports;
