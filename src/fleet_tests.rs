//! The fleet recipes in `docs/fleet/` are complete files: each parses, its
//! engine settings agree with bulkhead's flags, and every `bulkhead`
//! command in it is one the command line accepts.

use std::path::Path;

use clap::Parser as _;
use serde_json::Value;

use crate::cli::{Cli, Command};

fn recipe(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/fleet").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Every `bulkhead scan|merge ...` in a shell line, up to the end of its
/// command, with shell and engine placeholders given sample values.
fn commands(shell: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = shell;
    while let Some(at) = ["bulkhead scan", "bulkhead merge"].iter().filter_map(|name| rest.find(name)).min() {
        let from = &rest[at..];
        let end = [";", "&&", "\n\n"].iter().filter_map(|stop| from.find(stop)).min().unwrap_or(from.len());
        let line = from[..end].replace("{}/{}", "0/4");
        let words = line
            .split_whitespace()
            .map(|word| word.trim_matches(|c| c == '"' || c == '\''))
            .map(|word| if word.contains('$') || word.contains("{}") { sample(word) } else { word.to_owned() })
            .collect();
        found.push(words);
        rest = &from[end..];
    }
    found
}

/// A value every flag that takes a shell variable accepts: an account id
/// is also a count, a run id and a file name.
fn sample(word: &str) -> String {
    if word.contains('/') {
        word.replace(|c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '.' && c != '-' && c != '*', "")
    } else {
        "111122223333".to_owned()
    }
}

fn parses(command: &[String]) -> Command {
    Cli::try_parse_from(command).unwrap_or_else(|err| panic!("{command:?}: {err}")).command
}

fn check_commands(shell: &str) -> (usize, usize) {
    let mut counts = (0, 0);
    for command in commands(shell) {
        match parses(&command) {
            Command::Scan(args) => {
                assert!(args.sharding.shard.is_some() || args.sharding.shard_count.is_some(), "{command:?}");
                assert!(args.evaluation.output_formats.contains(&crate::report::Format::Json), "{command:?}");
                counts.0 += 1;
            }
            Command::Merge(_) => counts.1 += 1,
            _ => panic!("{command:?}"),
        }
    }
    counts
}

#[test]
fn the_batch_job_definitions_scan_a_shard_and_merge() {
    let shard: Value = serde_json::from_str(&recipe("batch-job-definition.json")).unwrap();
    let command = shard["containerProperties"]["command"].as_array().unwrap();
    assert_eq!(check_commands(command[2].as_str().unwrap()), (1, 0));
    // Batch substitutes Ref:: only in a whole element of the command.
    let refs: Vec<&str> = command.iter().filter_map(Value::as_str).filter(|arg| arg.starts_with("Ref::")).collect();
    for name in refs {
        assert!(shard["parameters"].get(name.trim_start_matches("Ref::")).is_some(), "{name} has a default");
    }
    let merge: Value = serde_json::from_str(&recipe("batch-merge-job-definition.json")).unwrap();
    assert_eq!(check_commands(merge["containerProperties"]["command"][2].as_str().unwrap()), (0, 1));
}

#[test]
fn the_kubernetes_indexed_job_counts_its_completions() {
    let yaml = |name: &str| -> serde_yaml_ng::Value { serde_yaml_ng::from_str(&recipe(name)).unwrap() };
    let indexed = yaml("k8s-indexed-job.yaml");
    let job = &indexed["spec"];
    assert_eq!(job["completionMode"].as_str(), Some("Indexed"));
    let args = job["template"]["spec"]["containers"][0]["args"][0].as_str().unwrap();
    let completions = job["completions"].as_u64().unwrap();
    assert!(args.contains(&format!("--shard-count {completions} ")), "--shard-count must equal completions: {args}");
    assert_eq!(check_commands(args), (1, 0));
    let merge = yaml("k8s-merge-job.yaml");
    let merge_args = merge["spec"]["template"]["spec"]["containers"][0]["args"][0].as_str().unwrap();
    assert_eq!(check_commands(merge_args), (0, 1));
    let run_id = &merge["spec"]["template"]["spec"]["containers"][0]["env"][0];
    assert_eq!(run_id["name"].as_str(), Some("RUN_ID"));
    assert_eq!(run_id["value"], indexed["metadata"]["name"], "the merge reads the Indexed Job's folder");
}

#[test]
fn the_state_machine_maps_the_shards_then_merges() {
    let machine: Value = serde_json::from_str(&recipe("stepfunctions-distributed-map.asl.json")).unwrap();
    let map = &machine["States"][machine["StartAt"].as_str().unwrap()];
    assert_eq!(map["Type"], "Map");
    assert_eq!(map["ItemProcessor"]["ProcessorConfig"]["Mode"], "DISTRIBUTED");
    assert_eq!(map["ToleratedFailurePercentage"], 0, "a failed shard fails the run, never a smaller merge");
    let scan = &map["ItemProcessor"]["States"]["Scan shard"];
    let merge = &machine["States"][map["Next"].as_str().unwrap()];
    let shell = |task: &Value| {
        let command = task["Parameters"]["Overrides"]["ContainerOverrides"][0]["Command.$"].as_str().unwrap();
        let start = command.find("States.Format('").unwrap() + "States.Format('".len();
        command[start..start + command[start..].find('\'').unwrap()].to_owned()
    };
    assert_eq!(check_commands(&shell(scan)), (1, 0));
    assert_eq!(check_commands(&shell(merge)), (0, 1));
    assert_eq!(merge["End"], true);
}

#[test]
fn the_audit_role_template_grants_exactly_the_policy() {
    let template: Value = serde_json::from_str(&recipe("audit-role-stackset.json")).unwrap();
    let policy: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json")).unwrap(),
    )
    .unwrap();
    let role = &template["Resources"]["AuditRole"]["Properties"];
    assert_eq!(role["Policies"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        role["Policies"][0]["PolicyDocument"], policy,
        "regenerate the template's policy from docs/iam-policy.json"
    );
    assert_eq!(template["Parameters"]["RoleName"]["Default"], "bulkhead-audit", "the role the recipes name");
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Action"], "sts:AssumeRole");
    assert!(trust["Condition"].to_string().contains("sts:ExternalId"));
}
