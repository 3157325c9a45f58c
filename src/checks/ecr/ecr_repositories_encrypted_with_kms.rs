//! Repositories encrypted with the AWS-owned AES256 key rather than KMS.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ecr::Repository;

pub const CHECK: Check =
    Check { id: "ecr_repositories_encrypted_with_kms", scope: Scope::Repositories(judge), reads: &[] };

fn judge(_: &Context<'_>, repository: &Repository) -> Verdict {
    let subject = format!("Repository {}", repository.name);
    match repository.encryption_type.as_str() {
        kms @ ("KMS" | "KMS_DSSE") => pass(format!(
            "{subject} is encrypted with {kms} (key {}).",
            repository.kms_key.as_deref().unwrap_or("aws/ecr")
        )),
        other => fail(format!(
            "{subject} is encrypted with {other} (an AWS-owned key) rather than a KMS key whose policy and use you control."
        )),
    }
}
