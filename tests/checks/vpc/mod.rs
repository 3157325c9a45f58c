//! VPCs: flow logs.

use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::vpc::{FlowLog, Vpc};

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod vpc_flow_logs_enabled;
// END test modules.

/// The region's VPCs and flow logs, with `interfaces` (id, VPC) and no cluster.
fn vpcs(vpcs: Vec<Vpc>, logs: Vec<FlowLog>, interfaces: &[(&str, &str)]) -> AccountInventory {
    account_with(|region| {
        region.ec2.vpcs = Collected::Ok(vpcs);
        region.ec2.flow_logs = Collected::Ok(logs);
        region.ec2.network_interfaces = Collected::Ok(
            interfaces
                .iter()
                .map(|(id, vpc)| {
                    let mut interface = network_interface(id, &[], None);
                    interface.vpc_id = Some(vpc.to_string());
                    interface
                })
                .collect(),
        );
        region.ecs.clusters = Collected::Ok(Vec::new());
    })
}
