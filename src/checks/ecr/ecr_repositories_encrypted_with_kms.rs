//! Repositories encrypted with the AWS-owned AES256 key rather than KMS.

use super::repositories;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "ecr_repositories_encrypted_with_kms", needs: &[ResourceKind::EcrRepositories], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    repositories::each(ctx, out, |region, repository, out| {
        let finding = out.resource(region, &repository.name, &repository.arn);
        let subject = format!("Repository {}", repository.name);
        match repository.encryption_type.as_str() {
            kms @ ("KMS" | "KMS_DSSE") => finding.pass(format!(
                "{subject} is encrypted with {kms} (key {}).",
                repository.kms_key.as_deref().unwrap_or("aws/ecr")
            )),
            other => finding.fail(format!(
                "{subject} is encrypted with {other} (an AWS-owned key) rather than a KMS key whose policy and use you control."
            )),
        }
    });
}
