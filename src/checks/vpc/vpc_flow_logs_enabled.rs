//! Every VPC in use records its traffic in an active flow log (FSBP EC2.6):
//! who talked to what, for the containers in it too.

use crate::checks::{Check, Context, Judgement, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::vpc::{FlowLog, Vpc};

pub const CHECK: Check =
    Check { id: "vpc_flow_logs_enabled", scope: Scope::Vpcs(judge), reads: &[ResourceKind::Ec2FlowLogs] };

fn judge(ctx: &Context<'_>, region: &str, vpc: &Vpc) -> Verdict {
    let inventory = &ctx.account.regions[region];
    // A VPC with no network interface runs nothing to record, as FSBP and
    // Prowler judge it; `vpc_flow_logs_every_vpc` judges those too. When the
    // interfaces could not be read the VPC is judged (the walk says its use
    // is unknown): whether it has a flow log does not depend on them.
    if !ctx.config.vpc_flow_logs_every_vpc
        && let Ok(interfaces) = inventory.ec2.network_interfaces.get()
        && !interfaces.iter().any(|interface| interface.vpc_id.as_deref() == Some(vpc.id.as_str()))
    {
        return Ok(Judgement::NotApplicable);
    }
    let logs = inventory.ec2.flow_logs.read("the region's flow logs")?;
    let own: Vec<&FlowLog> = logs.iter().filter(|log| log.resource_id == vpc.id).collect();
    let active: Vec<String> = own.iter().filter(|log| log.is_active()).map(|log| describe(log)).collect();
    if !active.is_empty() {
        return pass(format!("records its traffic in flow log(s) {}.", active.join(", ")));
    }
    let inactive: Vec<String> = own.iter().map(|log| describe(log)).collect();
    if !inactive.is_empty() {
        return fail(format!(
            "has flow log(s) {} but none is active, so who talked to what in it is not recorded.",
            inactive.join(", ")
        ));
    }
    fail(
        "has no flow log, so who talked to what in it, containers included, cannot be told during or after an incident.",
    )
}

/// `fl-1 (ALL to s3, ACTIVE)`.
fn describe(log: &FlowLog) -> String {
    let traffic = log.traffic_type.as_deref().unwrap_or("?");
    let destination = log.destination_type.as_deref().unwrap_or("?");
    let status = log.status.as_deref().unwrap_or("no status");
    format!("{} ({traffic} to {destination}, {status})", log.id)
}
