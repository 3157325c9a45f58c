//! A scan split into shards (`scan --shard`) and joined again (`merge`)
//! gives the report one process writes, timing fields and call stats aside.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::{Account, REGIONS, bulkhead, endpoint};

const FIXTURES: [&str; 5] =
    ["ec2_networkacl_allow_ingress", "empty", "iam_users", "ec2_securitygroup_allow_ingress_from_internet", "ecs"];

/// `bulkhead scan` with `scanner`'s credentials, writing into `dir`.
fn scan(scanner: &Account, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    bulkhead()
        .arg("scan")
        .args(["--output-dir", dir.to_str().unwrap(), "--region", "us-east-1", "--regions", REGIONS])
        .args(["--endpoint-url", &endpoint(), "--no-store", "--output-formats", "json,csv"])
        .envs(scanner.env())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("running bulkhead scan")
}

fn merge(reports: &[PathBuf], dir: &Path, args: &[&str]) -> Output {
    bulkhead()
        .arg("merge")
        .args(reports)
        .args(["--output-dir", dir.to_str().unwrap(), "--output-formats", "json,csv"])
        .args(args)
        .output()
        .expect("running bulkhead merge")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .unwrap()
}

/// The report without what differs between one process and merged shards:
/// the timing fields (`started_at`, `finished_at`, each FAIL's
/// `failing_since`, which a store-less scan sets to its own start) and the
/// call stats.
fn without_timing(mut report: Value) -> Value {
    let scan = report["scan"].as_object_mut().unwrap();
    for field in ["started_at", "finished_at", "stats"] {
        assert!(scan.remove(field).is_some(), "the report has scan.{field}");
    }
    for finding in report["findings"].as_array_mut().unwrap() {
        finding.as_object_mut().unwrap().remove("failing_since");
    }
    report
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn three_shards_merged_equal_one_process() {
    let accounts: Vec<Account> = FIXTURES.iter().map(|fixture| Account::seeded(fixture)).collect();
    let scanner = &accounts[0];
    let ids: Vec<&str> = accounts.iter().map(|account| account.id.as_str()).collect();
    let list = ids.join(",");
    let common = ["--accounts", &list, "--role-name", "bulkhead-scan"];
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);

    let whole = scan(scanner, &at("whole"), &common, &[]);
    assert!([3, 4].contains(&code(&whole)), "{}", stderr(&whole));

    // One shard from each source of the index: the flag, AWS Batch's
    // variables (the run id from the array job's id), a Kubernetes Indexed Job's.
    let shards = [
        scan(scanner, &at("shard-0"), &[&common[..], &["--shard", "0/3", "--run-id", "job-7"]].concat(), &[]),
        scan(
            scanner,
            &at("shard-1"),
            &[&common[..], &["--shard-count", "3"]].concat(),
            &[("AWS_BATCH_JOB_ARRAY_INDEX", "1"), ("AWS_BATCH_JOB_ARRAY_SIZE", "3"), ("AWS_BATCH_JOB_ID", "job-7:1")],
        ),
        scan(
            scanner,
            &at("shard-2"),
            &[&common[..], &["--shard-count", "3", "--run-id", "job-7"]].concat(),
            &[("JOB_COMPLETION_INDEX", "2")],
        ),
    ];
    let reports: Vec<PathBuf> = (0..3).map(|index| at(&format!("shard-{index}")).join("bulkhead.json")).collect();
    let mut scanned = 0;
    for (index, (shard, path)) in shards.iter().zip(&reports).enumerate() {
        assert!([0, 3, 4].contains(&code(shard)), "shard {index}: {}", stderr(shard));
        let report = read_json(path);
        let info = &report["scan"]["shard"];
        assert_eq!((info["index"].as_u64(), info["count"].as_u64()), (Some(index as u64), Some(3)), "{info}");
        assert_eq!(info["run_id"], "job-7");
        assert_eq!(info["accounts_listed"], FIXTURES.len());
        scanned += report["scan"]["accounts"].as_array().unwrap().len();
    }
    assert_eq!(scanned, FIXTURES.len(), "every account in exactly one shard");

    let merged = merge(&reports, &at("merged"), &[]);
    assert_eq!(code(&merged), code(&whole), "merge is judged as the scan was: {}", stderr(&merged));
    let one = read_json(&at("whole").join("bulkhead.json"));
    let joined = read_json(&at("merged").join("bulkhead.json"));
    assert!(!one["findings"].as_array().unwrap().is_empty());
    assert_eq!(without_timing(joined.clone()), without_timing(one.clone()));
    // The merged run spans the shards.
    assert!(joined["scan"]["started_at"].is_string() && joined["scan"]["shard"].is_null());
    // The same calls, but each shard's own sts:GetCallerIdentity for its credentials.
    let calls = |report: &Value| -> Vec<(String, u64)> {
        report["scan"]["stats"]["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|op| {
                (format!("{}:{}@{}", op["service"], op["operation"], op["region"]), op["calls"].as_u64().unwrap())
            })
            .collect()
    };
    let mut expected = calls(&one);
    let caller = expected.iter_mut().find(|(op, _)| op == "\"sts\":\"GetCallerIdentity\"@\"us-east-1\"").unwrap();
    caller.1 += 2;
    let mut merged_calls = calls(&joined);
    // Stats are not promised in the scan's order: compare as sets.
    merged_calls.sort();
    expected.sort();
    assert_eq!(merged_calls, expected);
    // CSV has no timing field: byte for byte the same.
    assert_eq!(
        std::fs::read_to_string(at("merged").join("bulkhead.csv")).unwrap(),
        std::fs::read_to_string(at("whole").join("bulkhead.csv")).unwrap()
    );

    // Refusals: a missing shard, the one-process report, a shard of another
    // check selection; each named, all at once, nothing written.
    let other = scan(
        scanner,
        &at("other"),
        &[&common[..], &["--shard", "2/3", "--run-id", "job-7", "--services", "iam"]].concat(),
        &[],
    );
    assert!([0, 3, 4].contains(&code(&other)), "{}", stderr(&other));
    let refused = merge(
        &[reports[0].clone(), reports[1].clone(), at("whole").join("bulkhead.json"), at("other").join("bulkhead.json")],
        &at("refused"),
        &[],
    );
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    let message = stderr(&refused);
    for needle in ["whole/bulkhead.json: not a shard's report", "different fingerprints", "different check selections"]
    {
        assert!(message.contains(needle), "{needle:?} not in:\n{message}");
    }
    assert!(!at("refused").join("bulkhead.json").exists(), "a refused merge writes nothing");

    let partial = merge(&reports[..2], &at("partial"), &[]);
    assert_eq!(code(&partial), 2, "{}", stderr(&partial));
    assert!(stderr(&partial).contains("missing shard(s) 2/3"), "{}", stderr(&partial));
    let allowed = merge(&reports[..2], &at("partial"), &["--allow-missing-shards"]);
    // Incomplete (below), but its FAILs pass the gate: a certain failure
    // wins over the missing shard.
    assert_eq!(code(&allowed), 3, "{}", stderr(&allowed));
    let errors = read_json(&at("partial").join("bulkhead.json"))["scan"]["errors"].clone();
    assert!(errors.as_array().unwrap().iter().any(|error| error["kind"] == "missing_shard"), "{errors:#}");

    // Headers that agree do not make findings right: a shard's file carrying
    // another shard's findings, or one finding twice, is refused by name.
    let findings = |path: &Path| read_json(path)["findings"].as_array().unwrap().clone();
    let source = (0..3).find(|&index| !findings(&reports[index]).is_empty()).expect("a shard with findings");
    let other = (source + 1) % 3;
    let tampered = |name: &str, index: usize, edit: &dyn Fn(&mut Vec<Value>)| -> Output {
        let mut report = read_json(&reports[index]);
        edit(report["findings"].as_array_mut().unwrap());
        let path = at(&format!("{name}.json"));
        std::fs::write(&path, report.to_string()).unwrap();
        let mut paths = reports.clone();
        paths[index] = path;
        merge(&paths, &at(name), &[])
    };
    let intruded = tampered("intruded", other, &|list| list.extend(findings(&reports[source])));
    assert_eq!(code(&intruded), 2, "{}", stderr(&intruded));
    assert!(stderr(&intruded).contains("intruded.json: "), "{}", stderr(&intruded));
    assert!(stderr(&intruded).contains("which the shard does not list"), "{}", stderr(&intruded));
    let doubled = tampered("doubled", source, &|list| list.insert(1, list[0].clone()));
    assert_eq!(code(&doubled), 2, "{}", stderr(&doubled));
    assert!(stderr(&doubled).contains("doubled.json: 1 finding(s) repeat a finding key"), "{}", stderr(&doubled));
    assert!(!at("intruded").join("bulkhead.json").exists() && !at("doubled").join("bulkhead.json").exists());
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_credentials_own_account_goes_to_one_shard() {
    let account = Account::seeded("empty");
    let dir = tempfile::tempdir().unwrap();
    let mut owners = Vec::new();
    for index in 0..2 {
        let out = dir.path().join(format!("shard-{index}"));
        let shard = format!("{index}/2");
        let output = scan(&account, &out, &["--shard", &shard, "--checks", "iam_root_mfa_enabled"], &[]);
        assert!([0, 3, 4].contains(&code(&output)), "{}", stderr(&output));
        let report = read_json(&out.join("bulkhead.json"));
        if report["scan"]["accounts"] == serde_json::json!([account.id]) {
            owners.push(index);
        } else {
            assert_eq!(report["scan"]["accounts"], serde_json::json!([]), "{report:#}");
            assert_eq!(report["findings"], serde_json::json!([]));
            assert_eq!(code(&output), 0, "a shard with no account has nothing to fail");
        }
    }
    assert_eq!(owners.len(), 1, "exactly one shard scans the account: {owners:?}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn conflicting_shard_sources_are_a_usage_error_before_any_call() {
    let account = Account::seeded("empty");
    let dir = tempfile::tempdir().unwrap();
    for (args, env, needle) in [
        (vec!["--shard", "0/3"], vec![("JOB_COMPLETION_INDEX", "1")], "conflicting shard indices"),
        (
            vec!["--shard-count", "3"],
            vec![("AWS_BATCH_JOB_ARRAY_INDEX", "0"), ("JOB_COMPLETION_INDEX", "2")],
            "conflicting shard indices",
        ),
        (vec!["--shard-count", "3"], vec![], "needs this shard's index"),
        (vec!["--shard", "3/3"], vec![], "not below the count"),
        (vec!["--run-id", "x"], vec![], "--run-id names a sharded run"),
    ] {
        let output = bulkhead()
            .args(["scan", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1", "--output-dir"])
            .arg(dir.path())
            .envs(account.env())
            .args(&args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert_eq!(code(&output), 2, "{args:?} {env:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(needle), "{args:?} {env:?}: {}", stderr(&output));
    }
}

/// The fleet recipes against their engines' schemas, offline: the Batch job
/// definitions against the Batch API model in the test venv's botocore, the
/// state machine with asl-validator (tests/fleet, installed by
/// `localstack/install-test-tools`), the audit role's template with cfn-lint. Kubernetes has no schema here: the
/// manifest's shape is checked in src/fleet_tests.rs.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_fleet_recipes_pass_their_schemas() {
    let root = crate::support::repo_root();
    let fleet = root.join("docs/fleet");
    let batch = std::process::Command::new(root.join("localstack/.venv/bin/python"))
        .arg(root.join("tests/fleet/validate_batch.py"))
        .args([fleet.join("batch-job-definition.json"), fleet.join("batch-merge-job-definition.json")])
        .output()
        .unwrap();
    assert!(batch.status.success(), "{}", String::from_utf8_lossy(&batch.stdout));

    let validator = root.join("tests/fleet/node_modules/asl-validator/dist/bin/asl-validator.js");
    let validate = |path: &Path| {
        std::process::Command::new("node")
            .arg(&validator)
            .args(["--json-path", path.to_str().unwrap()])
            .output()
            .expect("node must be installed (localstack/install-test-tools)")
    };
    let machine = fleet.join("stepfunctions-distributed-map.asl.json");
    let valid = validate(&machine);
    assert!(valid.status.success(), "{}{}", String::from_utf8_lossy(&valid.stdout), stderr(&valid));
    // The validator does reject: the same machine with a state of no known type.
    let broken = tempfile::NamedTempFile::new().unwrap();
    let text = std::fs::read_to_string(&machine).unwrap().replacen("\"Type\": \"Map\"", "\"Type\": \"Mapp\"", 1);
    std::fs::write(broken.path(), text).unwrap();
    assert!(!validate(broken.path()).status.success(), "asl-validator accepted a state of type Mapp");

    // The StackSet template with cfn-lint (in the test venv), which knows
    // CloudFormation's resource specifications; and it does reject.
    let lint = |path: &Path| {
        std::process::Command::new(root.join("localstack/.venv/bin/cfn-lint")).arg(path).output().unwrap()
    };
    let template = fleet.join("audit-role-stackset.json");
    let linted = lint(&template);
    assert!(linted.status.success(), "{}", String::from_utf8_lossy(&linted.stdout));
    let text = std::fs::read_to_string(&template).unwrap().replacen("AWS::IAM::Role\"", "AWS::IAM::Rolee\"", 1);
    let scratch = tempfile::tempdir().unwrap();
    let renamed = scratch.path().join("template.json");
    std::fs::write(&renamed, text).unwrap();
    assert!(!lint(&renamed).status.success(), "cfn-lint accepted AWS::IAM::Rolee");
}
