//! A managed node group's launch template requires IMDSv2 with a hop limit
//! of 1, so pods (other than host-network ones) cannot reach the node's
//! instance metadata and its role credentials. Node groups without a
//! launch template of their own (EKS made one) are not judged: bulkhead
//! cannot read what EKS set.

use crate::checks::{Check, Context, Judgement, Read, Scope, Verdict, fail, pass};
use crate::inventory::eks::{EksCluster, Nodegroup};

pub const CHECK: Check = Check { id: "eks_nodegroup_imdsv2_required", scope: Scope::EksNodegroups(judge), reads: &[] };

fn judge(_: &Context<'_>, _: &EksCluster, nodegroup: &Nodegroup) -> Verdict {
    let Some(template) = &nodegroup.launch_template else {
        return Ok(Judgement::NotApplicable);
    };
    let named = template.describe();
    let options = template.metadata.read(format_args!("the metadata options of {named}"))?;
    if options.http_endpoint.as_deref() == Some("disabled") {
        return pass(format!("uses {named}, which turns the instance metadata service off."));
    }
    match options.http_tokens.as_deref() {
        Some("required") => {}
        Some(tokens) => {
            return fail(format!("uses {named}, which leaves IMDSv1 on (httpTokens {tokens})."));
        }
        None => {
            return fail(format!(
                "uses {named}, which does not set httpTokens, so IMDSv1 stays on unless the AMI requires IMDSv2."
            ));
        }
    }
    // EC2's default hop limit is 1.
    match options.http_put_response_hop_limit.unwrap_or(1) {
        1 => pass(format!("uses {named}, which requires IMDSv2 with a hop limit of 1.")),
        hops => fail(format!(
            "uses {named}, which requires IMDSv2 but with a hop limit of {hops}, so pods reach the node's instance metadata and role credentials."
        )),
    }
}
