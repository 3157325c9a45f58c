//! EKS: clusters and their managed node groups.

use bulkhead::aws::Service;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::eks::{AccessEntry, AccessPolicy, EksCluster, MetadataOptions};

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod eks_cluster_access_entries_no_external_admin;
mod eks_cluster_kms_cmk_encryption_in_secrets_enabled;
mod eks_cluster_not_publicly_accessible;
mod eks_cluster_uses_a_supported_version;
mod eks_control_plane_logging_all_types_enabled;
mod eks_nodegroup_imdsv2_required;
// END test modules.

/// One cluster `prod`, edited by `edit`.
fn with_cluster(edit: impl FnOnce(&mut EksCluster)) -> AccountInventory {
    let mut cluster = eks_cluster("prod");
    edit(&mut cluster);
    account_with(|region| region.eks.clusters = Collected::Ok(vec![cluster]))
}
