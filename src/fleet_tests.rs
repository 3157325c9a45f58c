//! The recipes in `docs/` are complete files: each parses, runs the
//! project's image (`ghcr.io/bulkhead-audit/bulkhead`) with no shell (the
//! image's entrypoint is bulkhead), its engine settings agree with
//! bulkhead's flags, and every command it runs is one the command line
//! accepts: shards that write JSON and leave the verdict to the merge, a
//! merge into the scan store, a scheduled scan that writes to S3 and
//! notifies.

use std::path::Path;

use clap::Parser as _;
use serde_json::Value;

use crate::cli::{Cli, Command};

/// The project's image, as every recipe names it (with a tag or digest).
const IMAGE: &str = "ghcr.io/bulkhead-audit/bulkhead";

fn doc(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn recipe(name: &str) -> String {
    doc(&format!("fleet/{name}"))
}

fn assert_image(image: Option<&str>) {
    let image = image.expect("the recipe names its image");
    let repository = image.split_once('@').map_or(image, |(name, _)| name);
    let repository = repository.rsplit_once(':').map_or(repository, |(name, _)| name);
    assert_eq!(repository, IMAGE, "{image}");
}

/// The arguments after the entrypoint, as bulkhead parses them.
fn parses(argv: &[String]) -> Command {
    let command = std::iter::once("bulkhead".to_owned()).chain(argv.iter().cloned());
    Cli::try_parse_from(command).unwrap_or_else(|err| panic!("{argv:?}: {err}")).command
}

/// A shard scan: sharded, JSON, the verdict left to the merge.
fn assert_shard(argv: &[String]) {
    let Command::Scan(args) = parses(argv) else { panic!("not a scan: {argv:?}") };
    assert!(args.sharding.shard.is_some() || args.sharding.shard_count.is_some(), "{argv:?}");
    assert!(args.evaluation.output_formats.contains(&crate::report::Format::Json), "{argv:?}");
    assert!(args.sharding.exit_zero, "a shard exits 0 with its report written: {argv:?}");
}

/// A merge recorded in the store.
fn assert_merge(argv: &[String]) {
    let Command::Merge(args) = parses(argv) else { panic!("not a merge: {argv:?}") };
    assert!(args.store.is_some(), "the merged scan is recorded in the store: {argv:?}");
}

fn words(values: &Value) -> Vec<String> {
    values.as_array().unwrap().iter().map(|word| word.as_str().unwrap().to_owned()).collect()
}

/// A Batch command with each `Ref::NAME` (a whole element, the only place
/// Batch substitutes) given its parameter's default.
fn batch_command(definition: &Value) -> Vec<String> {
    let container = &definition["containerProperties"];
    assert_image(container["image"].as_str());
    words(&container["command"])
        .into_iter()
        .map(|word| match word.strip_prefix("Ref::") {
            Some(name) => {
                definition["parameters"][name].as_str().unwrap_or_else(|| panic!("{name} has a default")).to_owned()
            }
            None => word,
        })
        .collect()
}

#[test]
fn the_batch_job_definitions_scan_a_shard_and_merge() {
    let shard: Value = serde_json::from_str(&recipe("batch-job-definition.json")).unwrap();
    assert_shard(&batch_command(&shard));
    let merge: Value = serde_json::from_str(&recipe("batch-merge-job-definition.json")).unwrap();
    assert_merge(&batch_command(&merge));
}

/// The container's args with each `$(VAR)` given a sample value (an
/// account id, which is also a run id).
fn kubernetes_args(manifest: &serde_yaml_ng::Value) -> (Vec<String>, &serde_yaml_ng::Value) {
    let container = &manifest["spec"]["template"]["spec"]["containers"][0];
    assert_image(container["image"].as_str());
    assert!(container.get("command").is_none(), "the image's entrypoint runs, no shell");
    let variable = regex::Regex::new(r"\$\([A-Z_]+\)").unwrap();
    let args = container["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|arg| variable.replace_all(arg.as_str().unwrap(), "111122223333").into_owned())
        .collect();
    (args, container)
}

#[test]
fn the_kubernetes_indexed_job_counts_its_completions() {
    let yaml = |name: &str| -> serde_yaml_ng::Value { serde_yaml_ng::from_str(&recipe(name)).unwrap() };
    let indexed = yaml("k8s-indexed-job.yaml");
    assert_eq!(indexed["spec"]["completionMode"].as_str(), Some("Indexed"));
    let (args, _) = kubernetes_args(&indexed);
    let completions = indexed["spec"]["completions"].as_u64().unwrap();
    let count = args.iter().position(|arg| arg == "--shard-count").map(|at| args[at + 1].clone());
    assert_eq!(count, Some(completions.to_string()), "--shard-count must equal completions: {args:?}");
    assert_shard(&args);
    let merge = yaml("k8s-merge-job.yaml");
    let (merge_args, container) = kubernetes_args(&merge);
    assert_merge(&merge_args);
    let run_id = &container["env"][0];
    assert_eq!(run_id["name"].as_str(), Some("RUN_ID"));
    assert_eq!(run_id["value"], indexed["metadata"]["name"], "the merge reads the Indexed Job's folder");
}

/// Evaluates the state machine's `States.Array(...)` of a command, with
/// sample values for the paths it reads.
fn intrinsic(expression: &str) -> Vec<String> {
    let mut parser = Intrinsic { text: expression.as_bytes(), at: 0 };
    let value = parser.call();
    assert_eq!(parser.at, expression.len(), "trailing text in {expression}");
    value
}

struct Intrinsic<'a> {
    text: &'a [u8],
    at: usize,
}

impl Intrinsic<'_> {
    fn skip_spaces(&mut self) {
        while self.text.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    /// `States.Array(...)` (a list) or `States.Format(...)` (one string).
    fn call(&mut self) -> Vec<String> {
        let start = self.at;
        while self.text[self.at] != b'(' {
            self.at += 1;
        }
        let name = std::str::from_utf8(&self.text[start..self.at]).unwrap().to_owned();
        self.at += 1;
        let mut args = Vec::new();
        loop {
            self.skip_spaces();
            args.push(self.argument());
            self.skip_spaces();
            self.at += 1;
            if self.text[self.at - 1] == b')' {
                break;
            }
        }
        match name.as_str() {
            "States.Array" => args,
            "States.Format" => {
                let mut text = args[0].clone();
                for value in &args[1..] {
                    text = text.replacen("{}", value, 1);
                }
                vec![text]
            }
            other => panic!("unknown intrinsic {other}"),
        }
    }

    fn argument(&mut self) -> String {
        match self.text[self.at] {
            b'\'' => {
                let mut text = String::new();
                self.at += 1;
                while self.text[self.at] != b'\'' {
                    if self.text[self.at] == b'\\' {
                        self.at += 1;
                    }
                    text.push(self.text[self.at] as char);
                    self.at += 1;
                }
                self.at += 1;
                text
            }
            b'$' => {
                let start = self.at;
                while !matches!(self.text[self.at], b',' | b')' | b' ') {
                    self.at += 1;
                }
                let path = std::str::from_utf8(&self.text[start..self.at]).unwrap();
                sample_of(path).to_owned()
            }
            _ => self.call().remove(0),
        }
    }
}

fn sample_of(path: &str) -> &'static str {
    match path {
        "$.accounts" => "111122223333,444455556666",
        "$.index" => "0",
        "$.count" => "4",
        "$.run" | "$$.Execution.Name" => "run-1",
        "$.bucket" => "my-audit-reports",
        "$.topic" => "sns:arn:aws:sns:eu-west-1:123456789012:bulkhead-alerts",
        other => panic!("no sample for {other}"),
    }
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
    let command = |task: &Value| {
        intrinsic(task["Parameters"]["Overrides"]["ContainerOverrides"][0]["Command.$"].as_str().unwrap())
    };
    assert_shard(&command(scan));
    assert_merge(&command(merge));
    assert_eq!(merge["End"], true);
}

#[test]
fn the_scheduled_task_scans_the_organization_into_s3_and_notifies() {
    let text = doc("scheduled.md");
    let block = text
        .split("```json")
        .skip(1)
        .map(|rest| &rest[..rest.find("```").unwrap()])
        .find(|block| block.contains("containerDefinitions"))
        .expect("scheduled.md has the task definition");
    let task: Value = serde_json::from_str(block).unwrap();
    let container = &task["containerDefinitions"][0];
    assert_image(container["image"].as_str());
    assert!(container.get("entryPoint").is_none(), "the image's entrypoint runs, no shell");
    let argv = words(&container["command"]);
    let Command::Scan(args) = parses(&argv) else { panic!("not a scan: {argv:?}") };
    assert!(args.organization, "{argv:?}");
    assert!(args.evaluation.output_dir.s3().is_some(), "reports on S3: {argv:?}");
    assert!(args.evaluation.store.as_ref().and_then(|store| store.s3()).is_some(), "the store on S3: {argv:?}");
    assert!(args.sinks.notify.is_some(), "a message on SNS: {argv:?}");
}

#[test]
fn the_audit_role_template_grants_exactly_the_policy() {
    let template: Value = serde_json::from_str(&recipe("audit-role-stackset.json")).unwrap();
    let policy: Value = serde_json::from_str(&doc("iam-policy.json")).unwrap();
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
