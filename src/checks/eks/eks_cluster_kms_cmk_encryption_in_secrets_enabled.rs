//! Kubernetes secrets are envelope-encrypted with a KMS key (FSBP EKS.3).

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::eks::EksCluster;

pub const CHECK: Check =
    Check { id: "eks_cluster_kms_cmk_encryption_in_secrets_enabled", scope: Scope::EksClusters(judge), reads: &[] };

fn judge(_: &Context<'_>, cluster: &EksCluster) -> Verdict {
    match &cluster.secrets_key_arn {
        Some(key) => pass(format!("encrypts Kubernetes secrets with KMS key {key}.")),
        None => fail("has no KMS envelope encryption of Kubernetes secrets (no encryptionConfig for secrets)."),
    }
}
