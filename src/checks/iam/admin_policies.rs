//! The shared judgement of the "attached policy grants * on *" checks.

use crate::checks::{Context, Findings};
use crate::inventory::iam::ManagedPolicy;
use crate::inventory::{Collected, ResourceKind};
use crate::rules::iam_policy::full_admin_statements;

pub const NEEDS: &[ResourceKind] = &[ResourceKind::IamPolicies];

pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, policies: &Collected<Vec<ManagedPolicy>>, kind: &str) {
    let iam = &ctx.account.iam;
    let policies = match policies.get() {
        Ok(policies) => policies,
        Err(why) => {
            let arn = format!("arn:{}:iam::{}:policy/*", ctx.account.partition, ctx.account.account_id);
            out.resource(&iam.region, "policy/*", arn)
                .error(format!("Could not list the attached {kind} policies: {why}"));
            return;
        }
    };
    for policy in policies {
        let subject = format!(
            "{kind} policy {} (attached {} time(s), version {})",
            policy.name, policy.attachment_count, policy.default_version_id
        );
        let finding = out.resource(&iam.region, &policy.name, &policy.arn);
        let document = match policy.document.get() {
            Ok(document) => document,
            Err(why) => {
                finding.error(format!("Could not read {subject}: {why}"));
                continue;
            }
        };
        match full_admin_statements(document) {
            Ok(statements) if statements.is_empty() => {
                finding.pass(format!("{subject} does not allow \"*\" on \"*\"."))
            }
            Ok(statements) => finding.fail(format!(
                "{subject} grants full administrative privileges: statement {} allows \"*\" on \"*\".",
                statements.join(", ")
            )),
            Err(err) => finding.error(format!("Could not evaluate {subject}: {err}")),
        }
    }
}
