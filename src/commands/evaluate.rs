//! `bulkhead evaluate`: the reports from a saved inventory, with no AWS call.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::checks::Check;
use crate::cli::EvaluateArgs;
use crate::inventory::ResourceKind;
use crate::model::CallStats;
use crate::outcome::Outcome;
use crate::pipeline::{Collection, Inputs, Memory, Recording, RunRecord, evaluate_whole};
use crate::progress::Progress;
use crate::saved_inventory::SavedInventory;
use crate::usage::UsageError;

pub fn run(args: &EvaluateArgs) -> Result<Outcome> {
    let settings = args.evaluation.settings(false);
    if settings.output.upload.is_some() || settings.remote_store.is_some() {
        return Err(UsageError::new(
            "evaluate makes no AWS call: give --output-dir and --store local paths (scan and merge write to S3)",
        )
        .into());
    }
    let mut inputs = Inputs::load(&args.selection.selection(), &settings)?;
    let _lock = settings.output.lock()?;
    let memory = Memory::open(&settings, Recording::OnlyWithStore, RunRecord::default())?;
    let saved = SavedInventory::read(&args.inventory).map_err(|err| UsageError::new(err.to_string()))?;
    // Exactly what the saved inventory lists: a kind added since (running
    // tasks, say) may be implied by one it has, yet was never collected.
    let collected: BTreeSet<ResourceKind> = saved.collected.iter().copied().collect();
    let (servable, missing): (Vec<&'static Check>, Vec<&'static Check>) =
        inputs.checks.iter().partition(|check| check.needs().iter().all(|kind| collected.contains(kind)));
    if !missing.is_empty() {
        let list = describe(&missing, &collected);
        // Asked for by name: refuse. Selected by default: run what the inventory can serve.
        if args.selection.checks.is_some() || servable.is_empty() {
            return Err(UsageError::new(format!(
                "the saved inventory {} lacks data these checks need (scan again with them selected): {list}",
                args.inventory.display()
            ))
            .into());
        }
        tracing::warn!("skipping checks the saved inventory has no data for: {list}");
        if !args.evaluation.quiet {
            eprintln!("bulkhead: skipping {} check(s) the saved inventory has no data for: {list}", missing.len());
        }
    }
    inputs.checks = servable;
    let collection = Collection {
        started_at: saved.started_at,
        principal_arn: saved.principal_arn,
        regions: saved.regions,
        inventory: saved.inventory,
        // An offline evaluation makes no AWS call.
        stats: CallStats::default(),
        shard: None,
    };
    let progress = Progress::start(true, 0, inputs.checks.len());
    evaluate_whole(&inputs, collection, &settings, memory, &progress)
}

fn describe(checks: &[&Check], collected: &BTreeSet<ResourceKind>) -> String {
    checks
        .iter()
        .map(|check| {
            let lacking: Vec<ResourceKind> =
                check.needs().into_iter().filter(|kind| !collected.contains(kind)).collect();
            let names: Vec<String> = lacking
                .iter()
                .map(|kind| {
                    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                })
                .collect();
            format!("{} ({})", check.id, names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
