//! Rules over the containers of a running task, and where the images they
//! run are found in the inventory.

use crate::checks::verdict::{Parts, reword};
use crate::checks::{Context, Judgement, Verdict, fail, pass, unknown};
use crate::image::reference::{ImageReference, parse};
use crate::inventory::ecr::{Image, Repository};
use crate::inventory::ecs::{RunningContainer, RunningTask, TaskDefinition};
use crate::severity::Status;

/// A container outside what the check is about (an image of another
/// registry for a check that can only look inside the account's own ECR),
/// and why: the finding names it aside.
pub struct NotJudged(pub String);

/// Judges container by container, `judge` giving each container's verdict
/// (what a passing container's says is not shown): FAIL naming every
/// offending container, else ERROR naming every container that could not
/// be judged, else PASS; not applicable when no container is within the
/// check.
pub fn per_running_container(
    task: &RunningTask,
    judge: impl Fn(&RunningContainer) -> Result<Verdict, NotJudged>,
    passing: &str,
) -> Verdict {
    let mut not_judged = Vec::new();
    let parts: Parts = task
        .containers
        .iter()
        .filter_map(|container| {
            let name = &container.name;
            match judge(container) {
                Ok(verdict) => Some(reword(
                    verdict,
                    |why| format!("container {name} {why}"),
                    |why| format!("container {name}: {why}"),
                )),
                Err(NotJudged(why)) => {
                    not_judged.push(format!("container {name} {why}"));
                    None
                }
            }
        })
        .collect();
    let aside = if not_judged.is_empty() { String::new() } else { format!(" Not judged: {}.", not_judged.join("; ")) };
    match parts.every() {
        Status::Fail => fail(format!("{}.{aside}", parts.failed.join("; "))),
        Status::Error => unknown(format!("{}.{aside}", parts.unknown.join("; "))),
        Status::Pass if parts.passed.is_empty() => Ok(Judgement::NotApplicable),
        Status::Pass => pass(format!("{passing}{aside}")),
    }
}

/// The image reference of a container that lives in the audited account's
/// own ECR, with the ECR region; `None` for any other registry.
pub fn own_ecr_image(ctx: &Context<'_>, reference: &str) -> Option<(ImageReference, String)> {
    let parsed = parse(reference).ok()?;
    let registry = parsed.ecr_registry().filter(|registry| registry.account_id == ctx.account.account_id)?;
    Some((parsed, registry.region))
}

/// The task definition revision a running task runs, as collected in its region.
pub fn definition_of<'a>(ctx: &'a Context<'_>, region: &str, task: &RunningTask) -> Result<&'a TaskDefinition, String> {
    let entries = ctx.account.regions[region]
        .ecs
        .task_definitions
        .get()
        .map_err(|why| format!("the task definitions of {region} could not be read: {why}"))?;
    let entry = entries
        .iter()
        .find(|entry| entry.arn == task.task_definition_arn)
        .ok_or_else(|| format!("its task definition {} was not collected", task.revision()))?;
    entry.definition.get().map_err(|why| format!("its task definition {} could not be read: {why}", task.revision()))
}

/// The repository `name` in `region` of the account's ECR, and the image
/// with `digest` in its listing.
pub fn listed_image<'a>(
    ctx: &'a Context<'_>,
    region: &str,
    name: &str,
    digest: &str,
) -> Result<(&'a Repository, &'a [Image], Option<&'a Image>), String> {
    let Some(inventory) = ctx.account.regions.get(region) else {
        return Err(format!("its registry's region {region} was not scanned"));
    };
    let repositories = inventory
        .ecr
        .repositories
        .get()
        .map_err(|why| format!("the repositories of {region} could not be listed: {why}"))?;
    let Some(repository) = repositories.iter().find(|repository| repository.name == name) else {
        return Err(format!("repository {name} is not in the listing of {region}"));
    };
    let images =
        repository.images.get().map_err(|why| format!("the images of repository {name} could not be listed: {why}"))?;
    Ok((repository, images, images.iter().find(|image| image.digest == digest)))
}
