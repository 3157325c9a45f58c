//! `{shard}` and `{run}` in `--output-dir` and `--output-name`: each shard
//! of a sharded run writes its own reports with no shell to name them (an
//! AWS Batch array job's command, a Kubernetes Indexed Job's arguments).

use crate::cli::EvaluationArgs;
use crate::shard::ShardRun;
use crate::sinks::Place;
use crate::usage::UsageError;

/// The arguments with the placeholders replaced: `{shard}` by the shard's
/// index, `{run}` by the run id.
pub fn expand(args: &EvaluationArgs, sharding: Option<&ShardRun>) -> Result<EvaluationArgs, UsageError> {
    let dir = args.output_dir.to_string();
    let has = |text: &str| text.contains("{shard}") || text.contains("{run}");
    if !has(&dir) && !has(&args.output_name) {
        return Ok(args.clone());
    }
    let Some(run) = sharding else {
        return Err(UsageError::new(
            "{shard} and {run} in --output-dir or --output-name need --shard or --shard-count",
        ));
    };
    let replace = |text: &str| -> Result<String, UsageError> {
        let text = text.replace("{shard}", &run.shard.index.to_string());
        if !text.contains("{run}") {
            return Ok(text);
        }
        match &run.run_id {
            Some(id) if !id.is_empty() && !id.contains(['/', '\\']) && id != "." && id != ".." => {
                Ok(text.replace("{run}", id))
            }
            Some(id) => Err(UsageError::new(format!("the run id {id:?} cannot name a folder or a file"))),
            None => Err(UsageError::new("{run} needs a run id: --run-id, or AWS_BATCH_JOB_ID in an AWS Batch job")),
        }
    };
    let mut expanded = args.clone();
    expanded.output_dir = replace(&dir)?.parse::<Place>().map_err(UsageError::new)?;
    expanded.output_name = replace(&args.output_name)?;
    Ok(expanded)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::shard::Shard;

    fn evaluation(args: &[&str]) -> EvaluationArgs {
        let mut argv = vec!["bulkhead", "scan"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Scan(scan) => scan.evaluation,
            _ => unreachable!(),
        }
    }

    #[test]
    fn each_shard_names_its_own_reports() {
        let run = ShardRun { shard: Shard { index: 3, count: 4 }, run_id: Some("night-7".into()) };
        let args = evaluation(&["--output-dir", "s3://bucket-1/runs/{run}/", "--output-name", "shard-{shard}"]);
        let expanded = expand(&args, Some(&run)).unwrap();
        assert_eq!(expanded.output_dir.to_string(), "s3://bucket-1/runs/night-7/");
        assert_eq!(expanded.output_name, "shard-3");
        assert!(expand(&args, None).unwrap_err().to_string().contains("need --shard"));
        let unnamed = ShardRun { run_id: None, ..run.clone() };
        assert!(expand(&args, Some(&unnamed)).unwrap_err().to_string().contains("needs a run id"));
        let plain = evaluation(&["--output-dir", "out"]);
        assert_eq!(expand(&plain, None).unwrap().output_dir.to_string(), "out");
    }
}
