//! The shared walk of the task definition checks: every task definition
//! worth judging (the latest ACTIVE revision of each family and every
//! revision in use), with the ERRORs for what could not be read.

use crate::checks::{Context, Findings};
use crate::inventory::ResourceKind;
use crate::inventory::ecs::{Container, TaskDefinition};

pub const NEEDS: &[ResourceKind] = &[ResourceKind::EcsTaskDefinitions];

/// A check's verdict on one task definition.
#[derive(Debug)]
pub enum Judgement {
    Pass(String),
    Fail(String),
    /// The check does not apply (no finding).
    NotApplicable,
}

pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, judge: impl Fn(&TaskDefinition) -> Judgement) {
    let account = ctx.account;
    for (region, inventory) in &account.regions {
        let entries = match inventory.ecs.task_definitions.get() {
            Ok(entries) => entries,
            Err(why) => {
                out.scope_error("ecs", region, "task-definition/*", why);
                continue;
            }
        };
        let unknown = inventory.ecs.in_use_unknown();
        if !unknown.is_empty() {
            let arn = account.arn("ecs", region, "task-definition/*");
            out.resource(region, region, arn).error(format!(
                "Could not tell which task definition revisions are in use in {region}, so revisions only they run were not evaluated: {}",
                unknown.join("; ")
            ));
        }
        for entry in entries {
            let definition = match entry.definition.get() {
                Ok(definition) => definition,
                Err(why) => {
                    let arn = if entry.requested.starts_with("arn:") {
                        entry.requested.clone()
                    } else {
                        account.arn("ecs", region, &format!("task-definition/{}", entry.requested))
                    };
                    out.resource(region, &entry.requested, arn)
                        .error(format!("Could not read task definition {}: {why}", entry.requested));
                    continue;
                }
            };
            let subject = format!("Task definition {} ({})", definition.id(), entry.reasons.join("; "));
            let finding = out.resource(region, definition.id(), &definition.arn);
            match judge(definition) {
                Judgement::Pass(detail) => finding.pass(format!("{subject}: {detail}")),
                Judgement::Fail(detail) => finding.fail(format!("{subject}: {detail}")),
                Judgement::NotApplicable => {}
            }
        }
    }
}

/// Judges container by container: FAIL naming every offending container.
pub fn per_container(
    definition: &TaskDefinition,
    offends: impl Fn(&Container) -> Option<String>,
    pass: &str,
) -> Judgement {
    let offending: Vec<String> = definition
        .containers
        .iter()
        .filter_map(|container| offends(container).map(|why| format!("container {} {why}", container.name)))
        .collect();
    if offending.is_empty() {
        Judgement::Pass(pass.to_owned())
    } else {
        Judgement::Fail(format!("{}.", offending.join("; ")))
    }
}
