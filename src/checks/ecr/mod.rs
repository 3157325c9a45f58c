//! ECR registry and image checks.

pub mod ecr_images_signed;
pub mod ecr_repositories_not_publicly_accessible;
