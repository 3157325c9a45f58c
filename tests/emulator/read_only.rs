//! bulkhead is read-only, proven from its source: every AWS SDK operation
//! the code under src/ calls is a Describe*, List*, Get* or BatchGet* (or
//! the IAM credential-report pair), and docs/iam-policy.json grants exactly
//! the IAM actions those operations need. The one exception is src/sinks/,
//! the writes a user names (reports and the store on S3, SNS, Security
//! Hub), made with the caller's own credentials: docs/sink-policy.json
//! grants exactly what it calls, and nothing else under src/ calls it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

use crate::support::repo_root;

/// Operations whose IAM action is not `service:OperationName`.
const IAM_ACTION_OF: &[(&str, &str)] = &[
    // "The IAM principal invoking this operation must have the ecr:BatchGetImage permission."
    ("ecr:ListImageReferrers", "ecr:BatchGetImage"),
    // The SDK's snake case loses the acronym: the action is ListVirtualMFADevices.
    ("iam:ListVirtualMfaDevices", "iam:ListVirtualMFADevices"),
    // The same for WAFv2's ACL: ListWebACLs, ListResourcesForWebACL.
    ("wafv2:ListWebAcls", "wafv2:ListWebACLs"),
    ("wafv2:ListResourcesForWebAcl", "wafv2:ListResourcesForWebACL"),
];

/// SDK crates (`aws_sdk_<name>`) whose IAM service prefix is another name.
const IAM_PREFIX_OF: &[(&str, &str)] = &[
    // Elastic Load Balancing v2 shares v1's prefix: elasticloadbalancing:DescribeLoadBalancers.
    ("elasticloadbalancingv2", "elasticloadbalancing"),
];

/// `service:OperationName` of every SDK call in `source`. A call is
/// `client.<operation>(` (whitespace allowed, as rustfmt may split it); its
/// service is the `aws_sdk_<service>::` named last before it in the file.
fn operations_in(source: &str) -> Vec<String> {
    let call = Regex::new(r"\bclient\s*\.\s*([a-z][a-z0-9_]*)\s*\(").unwrap();
    let crate_mention = Regex::new(r"aws_sdk_([a-z0-9]+)::").unwrap();
    call.captures_iter(source)
        .map(|found| {
            let at = found.get(0).unwrap().start();
            let service = crate_mention
                .captures_iter(&source[..at])
                .last()
                .map(|mention| mention[1].to_owned())
                .unwrap_or_else(|| "?".to_owned());
            format!("{service}:{}", camel_case(&found[1]))
        })
        .collect()
}

fn camel_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn is_read_only(operation: &str) -> bool {
    let name = operation.split_once(':').map(|(_, name)| name).unwrap_or(operation);
    ["Describe", "List", "Get", "BatchGet"].iter().any(|prefix| name.starts_with(prefix))
        || name == "GenerateCredentialReport"
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Every operation the audit calls (src/ but the sinks), with the files that call it.
fn source_operations() -> BTreeMap<String, BTreeSet<String>> {
    operations_under(false)
}

/// Every operation src/sinks/ calls, with the files that call it.
fn sink_operations() -> BTreeMap<String, BTreeSet<String>> {
    operations_under(true)
}

fn operations_under(sinks: bool) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&repo_root().join("src"), &mut files);
    let sink_dir = repo_root().join("src/sinks");
    files.retain(|file| file.starts_with(&sink_dir) == sinks);
    let mut operations: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        let found = operations_in(&source);
        let name = file.strip_prefix(repo_root()).unwrap().display().to_string();
        // A `.send()` the pattern does not see would be an unchecked call:
        // keep every SDK call in the `client.<operation>(` form.
        let sends = source.matches(".send()").count();
        assert!(
            sends <= found.len(),
            "{name}: {sends} .send() calls but only {} `client.<operation>(` calls found; name the SDK client `client`",
            found.len()
        );
        for operation in found {
            operations.entry(operation).or_default().insert(name.clone());
        }
    }
    operations
}

/// Sink operations whose IAM action is not `service:OperationName`.
const SINK_ACTION_OF: &[(&str, &str)] = &[("s3:ListObjectsV2", "s3:ListBucket")];

/// What a sink's operation needs besides its own action.
const SINK_ACTIONS_ALSO: &[(&str, &str)] = &[
    // Without it S3 answers a missing object (the first run's store) with
    // 403 instead of 404.
    ("s3:GetObject", "s3:ListBucket"),
];

/// Every action of every statement of docs/sink-policy.json.
fn sink_policy_actions() -> BTreeSet<String> {
    let policy: Value =
        serde_json::from_str(&fs::read_to_string(repo_root().join("docs/sink-policy.json")).unwrap()).unwrap();
    let mut actions = BTreeSet::new();
    for statement in policy["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_array().unwrap() {
            actions.insert(action.as_str().unwrap().to_owned());
        }
    }
    actions
}

#[test]
fn the_sink_policy_grants_exactly_what_the_sinks_call() {
    let called = sink_operations();
    eprintln!("read_only: AWS operations in src/sinks/: {:?}", called.keys().collect::<Vec<_>>());
    assert!(called.contains_key("s3:PutObject") && called.contains_key("sns:Publish"), "{called:?}");
    let mut needed: BTreeSet<String> = BTreeSet::new();
    for operation in called.keys() {
        let action =
            SINK_ACTION_OF.iter().find(|(op, _)| op == operation).map_or(operation.as_str(), |(_, action)| action);
        needed.insert(action.to_owned());
        for (op, also) in SINK_ACTIONS_ALSO {
            if op == operation {
                needed.insert((*also).to_owned());
            }
        }
    }
    let granted = sink_policy_actions();
    let missing: Vec<_> = needed.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&needed).collect();
    assert!(missing.is_empty(), "docs/sink-policy.json lacks {missing:?}");
    assert!(extra.is_empty(), "docs/sink-policy.json grants more than the sinks call: {extra:?}");
    let audit = policy_actions();
    assert!(granted.is_disjoint(&audit), "the audit role's policy grants no sink action");
}

fn policy_actions() -> BTreeSet<String> {
    let policy: Value =
        serde_json::from_str(&fs::read_to_string(repo_root().join("docs/iam-policy.json")).unwrap()).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Effect"], "Allow");
    assert_eq!(statements[0]["Resource"], "*");
    statements[0]["Action"].as_array().unwrap().iter().map(|action| action.as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_source_calls_only_read_operations() {
    let operations = source_operations();
    eprintln!("read_only: AWS operations in src/: {:?}", operations.keys().collect::<Vec<_>>());
    assert!(operations.contains_key("ec2:DescribeSecurityGroups") && operations.contains_key("sts:GetCallerIdentity"));
    let writes: Vec<_> = operations.iter().filter(|(operation, _)| !is_read_only(operation)).collect();
    assert!(writes.is_empty(), "operations that are not read-only: {writes:?}");
    assert!(
        operations.keys().all(|operation| !operation.starts_with("?:")),
        "a call of unknown service: {operations:?}"
    );
}

#[test]
fn the_scanner_finds_a_write_call_if_there_is_one() {
    let source = "use aws_sdk_ecr::Client;\nfn f(client: &Client) { client\n    .delete_repository().send(); client.describe_images(); }\nfn g() { let client = aws_sdk_ec2::Client::new(&c); client.terminate_instances(); }";
    let found = operations_in(source);
    assert_eq!(found, ["ecr:DeleteRepository", "ecr:DescribeImages", "ec2:TerminateInstances"]);
    assert_eq!(found.iter().filter(|operation| !is_read_only(operation)).count(), 2);
    assert!(is_read_only("iam:GenerateCredentialReport") && is_read_only("iam:GetCredentialReport"));
}

#[test]
fn the_iam_policy_grants_exactly_what_the_source_calls() {
    let needed: BTreeSet<String> = source_operations()
        .into_keys()
        .map(|operation| {
            let operation = match operation.split_once(':') {
                Some((krate, name)) => match IAM_PREFIX_OF.iter().find(|(sdk, _)| *sdk == krate) {
                    Some((_, prefix)) => format!("{prefix}:{name}"),
                    None => operation,
                },
                None => operation,
            };
            IAM_ACTION_OF
                .iter()
                .find(|(op, _)| *op == operation)
                .map(|(_, action)| action.to_string())
                .unwrap_or(operation)
        })
        .collect();
    let granted = policy_actions();
    let missing: Vec<_> = needed.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&needed).collect();
    assert!(missing.is_empty(), "docs/iam-policy.json lacks {missing:?}");
    assert!(extra.is_empty(), "docs/iam-policy.json grants more than bulkhead calls: {extra:?}");
    assert!(granted.iter().all(|action| !action.contains('*')), "no wildcards in the least-privilege policy");
}

/// The AWS managed SecurityAudit policy covers the policy, except
/// `ecr:BatchGetImage` (which `ListImageReferrers` needs, only for images
/// whose signature the image listing leaves open, and which reads the
/// manifests of the images task definitions name) and
/// `ecr:GetDownloadUrlForLayer` (the URL of an image's config blob), and
/// ECR managed signing's `ecr:GetSigningConfiguration` and
/// `ecr:DescribeImageSigningStatus` (newer than this copy of the policy).
/// Read from moto's copy of the AWS managed policies, in the test bed's
/// virtualenv.
///
/// Besides SDK calls, bulkhead makes one kind of plain HTTP request: a GET
/// of the presigned URL `GetDownloadUrlForLayer` returns (src/aws/blob.rs),
/// which reads and changes nothing in the account.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn security_audit_covers_all_but_the_image_reads() {
    let python = repo_root().join("localstack/.venv/bin/python");
    let output = std::process::Command::new(python)
        .args([
            "-c",
            "import json; from moto.iam.aws_managed_policies import aws_managed_policies_data as d; \
             print(json.dumps(json.loads(d)['SecurityAudit']['Document']))",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let globs: Vec<Regex> = document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|statement| statement["Effect"] == "Allow")
        .flat_map(|statement| match &statement["Action"] {
            Value::String(action) => vec![action.clone()],
            Value::Array(actions) => actions.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect(),
            _ => vec![],
        })
        .map(|glob| Regex::new(&format!("(?i)^{}$", regex::escape(&glob).replace(r"\*", ".*"))).unwrap())
        .collect();
    let uncovered: Vec<String> =
        policy_actions().into_iter().filter(|action| !globs.iter().any(|glob| glob.is_match(action))).collect();
    // sts:GetCallerIdentity needs no permission at all.
    let uncovered: Vec<&str> =
        uncovered.iter().map(String::as_str).filter(|action| *action != "sts:GetCallerIdentity").collect();
    assert_eq!(
        uncovered,
        [
            "ecr:BatchGetImage",
            "ecr:DescribeImageSigningStatus",
            "ecr:GetDownloadUrlForLayer",
            "ecr:GetSigningConfiguration"
        ],
        "README.md says what SecurityAudit lacks"
    );
}
