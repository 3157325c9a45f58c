//! The sinks a scheduled job names, against the emulator: reports and the
//! store on S3 (the same drift as a local store; a store changed meanwhile
//! is not overwritten), a message on SNS (read back through an SQS queue
//! subscribed to the topic), and the findings imported into Security Hub.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{Account, bulkhead, endpoint, repo_root};

const CHECK: &str = "ecr_repositories_tag_immutability";

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a boto3 script as the account's owner; `ep` and `account` are set,
/// and `argv` holds `args`. Returns what it prints.
fn python(account: &Account, script: &str, args: &[&str]) -> String {
    let prelude = "import boto3, json, sys\nep = sys.argv[1]\nargv = sys.argv[2:]\n\
        def client(name, region='us-east-1'):\n    return boto3.client(name, region_name=region, endpoint_url=ep)\n";
    let output = Command::new(repo_root().join("localstack/.venv/bin/python"))
        .args(["-c", &format!("{prelude}{script}"), &endpoint()])
        .args(args)
        .envs(account.env())
        .output()
        .unwrap();
    assert!(output.status.success(), "python: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn make_bucket(account: &Account) -> String {
    let bucket = format!("bulkhead-{}", account.id);
    python(account, "client('s3').create_bucket(Bucket=argv[0])", &[&bucket]);
    bucket
}

fn s3_json(account: &Account, bucket: &str, key: &str) -> Value {
    let text = python(
        account,
        "print(client('s3').get_object(Bucket=argv[0], Key=argv[1])['Body'].read().decode())",
        &[bucket, key],
    );
    serde_json::from_str(&text).unwrap()
}

fn change_account(account: &Account) {
    python(
        account,
        "ecr = client('ecr', 'eu-west-1')\n\
         ecr.put_image_tag_mutability(repositoryName='will-be-fixed', imageTagMutability='IMMUTABLE')\n\
         ecr.put_image_tag_mutability(repositoryName='will-break', imageTagMutability='MUTABLE')\n",
        &[],
    );
}

fn scan(account: &Account, args: &[&str]) -> Output {
    bulkhead()
        .args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1", "--regions", "eu-west-1"])
        .args(["--checks", CHECK, "--output-formats", "json,html"])
        .args(args)
        .envs(account.env())
        .output()
        .unwrap()
}

fn resources(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        list.as_array().unwrap().iter().map(|entry| entry["resource_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

/// What `bulkhead diff` finds between the store's last two scans (the JSON
/// report holds no history): new, resolved and still failing resources.
fn drift(store: &std::path::Path) -> (Vec<String>, Vec<String>, Vec<String>) {
    let diff = bulkhead().args(["diff", "--store", store.to_str().unwrap(), "--format", "json"]).output().unwrap();
    assert!(diff.status.success(), "{}", stderr(&diff));
    let changes: Value = serde_json::from_slice(&diff.stdout).unwrap();
    (
        resources(&changes["new_failures"]),
        resources(&changes["resolved_failures"]),
        resources(&changes["still_failing"]),
    )
}

/// The store object on S3, downloaded into `into`.
fn s3_store(account: &Account, bucket: &str, key: &str, into: &std::path::Path) -> std::path::PathBuf {
    let path = into.join("downloaded.db");
    python(account, "client('s3').download_file(argv[0], argv[1], argv[2])", &[bucket, key, path.to_str().unwrap()]);
    path
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn two_scheduled_scans_through_s3_drift_as_a_local_store_does() {
    let account = Account::seeded("history");
    let local = tempfile::tempdir().unwrap();
    let bucket = make_bucket(&account);
    let (reports, store) = (format!("s3://{bucket}/nightly"), format!("s3://{bucket}/state/bulkhead.db"));
    // Each scheduled run starts in an empty container: a fresh local folder.
    let on_s3 = |args: &[&str]| {
        let fresh = tempfile::tempdir().unwrap();
        let mut all = vec!["--output-dir", &reports, "--store", &store, "--local-dir", fresh.path().to_str().unwrap()];
        all.extend_from_slice(args);
        let output = scan(&account, &all);
        (output, fresh)
    };
    let (first, first_dir) = on_s3(&[]);
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    assert!(stderr(&first).contains(&format!("s3://{bucket}/nightly/bulkhead.json")), "{}", stderr(&first));
    assert!(first_dir.path().join("bulkhead.json").exists(), "written locally first");
    let local_first = scan(&account, &["--output-dir", local.path().to_str().unwrap()]);
    assert_eq!(local_first.status.code(), Some(3), "{}", stderr(&local_first));

    change_account(&account);
    let (second, _) = on_s3(&[]);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    let local_second = scan(&account, &["--output-dir", local.path().to_str().unwrap()]);
    assert_eq!(local_second.status.code(), Some(3), "{}", stderr(&local_second));

    let through_s3 = drift(&s3_store(&account, &bucket, "state/bulkhead.db", local.path()));
    assert_eq!(
        through_s3,
        drift(&local.path().join("bulkhead.db")),
        "the same drift through S3 as through a local store"
    );
    assert_eq!(through_s3.0, ["will-break"]);
    assert_eq!(through_s3.1, ["will-be-fixed"]);
    // The report on S3 is the second scan's, its FAIL dated from the first.
    let report = s3_json(&account, &bucket, "nightly/bulkhead.json");
    let stays = report["findings"].as_array().unwrap().iter().find(|f| f["resource_id"] == "stays-failing").unwrap();
    assert_ne!(stays["failing_since"], report["scan"]["started_at"], "failing since the first scan");
    let listed = python(
        &account,
        "print(json.dumps([o['Key'] for o in client('s3').list_objects_v2(Bucket=argv[0])['Contents']]))",
        &[&bucket],
    );
    let keys: Vec<String> = serde_json::from_str(&listed).unwrap();
    assert_eq!(keys, ["nightly/bulkhead.html", "nightly/bulkhead.json", "state/bulkhead.db"]);

    // --fail-on-new against the store on S3: nothing new since the second scan.
    let (gate, _) = on_s3(&["--fail-on-new", "low"]);
    assert_eq!(gate.status.code(), Some(0), "{}", stderr(&gate));

    // An upload that fails: exit 1, the reports kept locally, and said where.
    let kept = tempfile::tempdir().unwrap();
    let missing = scan(
        &account,
        &["--output-dir", "s3://no-such-bucket-of-bulkhead/x", "--local-dir", kept.path().to_str().unwrap()],
    );
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains(&format!("the reports are written in {}", kept.path().display())),
        "{}",
        stderr(&missing)
    );
    assert!(kept.path().join("bulkhead.json").exists());
}

#[tokio::test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
async fn a_store_changed_meanwhile_is_not_overwritten() {
    use aws_sdk_s3::config::{BehaviorVersion, Builder, Credentials, Region};
    use bulkhead::sinks::S3Url;
    use bulkhead::sinks::s3::{S3Error, download_store};

    let account = Account::seeded("empty");
    let bucket = make_bucket(&account);
    let env: std::collections::BTreeMap<String, String> = account.env().into_iter().collect();
    let credentials = Credentials::new(
        &env["AWS_ACCESS_KEY_ID"],
        &env["AWS_SECRET_ACCESS_KEY"],
        Some(env["AWS_SESSION_TOKEN"].clone()),
        None,
        "test",
    );
    let config = Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let url: S3Url = format!("s3://{bucket}/shared/bulkhead.db").parse().unwrap();
    let dirs = [(); 4].map(|()| tempfile::tempdir().unwrap());
    let copy = |index: usize| dirs[index].path().join("bulkhead.db");

    // Two schedules start on a store that does not exist yet: the first
    // upload creates it, the second is refused (If-None-Match: *).
    let (first, second) = (
        download_store(&client, &url, &copy(0)).await.unwrap(),
        download_store(&client, &url, &copy(1)).await.unwrap(),
    );
    std::fs::write(copy(0), b"first").unwrap();
    std::fs::write(copy(1), b"second").unwrap();
    first.upload(&client).await.unwrap();
    let refused = second.upload(&client).await.unwrap_err();
    assert!(matches!(refused, S3Error::Conflict { .. }), "{refused}");
    assert!(refused.to_string().contains("changed since this run downloaded it"), "{refused}");
    assert!(refused.to_string().contains(&copy(1).display().to_string()), "says where the scan is kept: {refused}");

    // Two schedules download the same version: the one that uploads last is refused (If-Match).
    let (third, fourth) = (
        download_store(&client, &url, &copy(2)).await.unwrap(),
        download_store(&client, &url, &copy(3)).await.unwrap(),
    );
    assert_eq!(std::fs::read(copy(2)).unwrap(), b"first");
    std::fs::write(copy(2), b"third").unwrap();
    std::fs::write(copy(3), b"fourth").unwrap();
    third.upload(&client).await.unwrap();
    assert!(matches!(fourth.upload(&client).await, Err(S3Error::Conflict { .. })));
    let kept = download_store(&client, &url, &copy(0)).await.unwrap();
    drop(kept);
    assert_eq!(std::fs::read(copy(0)).unwrap(), b"third", "the refused upload changed nothing");
}

/// A topic with an SQS queue subscribed to it; returns (topic ARN, queue URL).
fn topic_with_queue(account: &Account) -> (String, String) {
    let printed = python(
        account,
        "sns, sqs = client('sns'), client('sqs')\n\
         topic = sns.create_topic(Name='bulkhead-alerts')['TopicArn']\n\
         queue = sqs.create_queue(QueueName='bulkhead-alerts')['QueueUrl']\n\
         arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=['QueueArn'])['Attributes']['QueueArn']\n\
         sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=arn)\n\
         print(json.dumps([topic, queue]))",
        &[],
    );
    let pair: (String, String) = serde_json::from_str(&printed).unwrap();
    pair
}

/// The messages the queue received since the last call: (subject, body).
fn received(account: &Account, queue: &str) -> Vec<(String, String)> {
    let printed = python(
        account,
        "sqs = client('sqs')\nout = []\n\
         while True:\n\
         \x20   got = sqs.receive_message(QueueUrl=argv[0], MaxNumberOfMessages=10, WaitTimeSeconds=0).get('Messages', [])\n\
         \x20   if not got: break\n\
         \x20   for m in got:\n\
         \x20       envelope = json.loads(m['Body'])\n\
         \x20       out.append([envelope.get('Subject', ''), envelope['Message']])\n\
         \x20       sqs.delete_message(QueueUrl=argv[0], ReceiptHandle=m['ReceiptHandle'])\n\
         print(json.dumps(out))",
        &[queue],
    );
    serde_json::from_str(&printed).unwrap()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_message_tells_the_new_fails_and_nothing_when_nothing_changed() {
    let account = Account::seeded("history");
    let (topic, queue) = topic_with_queue(&account);
    let dir = tempfile::tempdir().unwrap();
    let notify = format!("sns:{topic}");
    let args = ["--output-dir", dir.path().to_str().unwrap(), "--notify", &notify];
    let first = scan(&account, &args);
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    let messages = received(&account, &queue);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].1.contains("first one in the store"), "{}", messages[0].1);

    change_account(&account);
    let second = scan(&account, &args);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    let messages = received(&account, &queue);
    assert_eq!(messages.len(), 1, "{messages:?}");
    let (subject, body) = &messages[0];
    assert_eq!(subject, "bulkhead: 1 new FAIL, 1 resolved, exit 3");
    let line = body.lines().find(|line| line.contains("will-break")).unwrap_or_else(|| panic!("{body}"));
    assert!(line.contains(CHECK) && line.contains(&account.id) && line.contains("eu-west-1"), "{line}");
    assert!(body.contains("Resolved") && body.contains("will-be-fixed"), "{body}");
    assert!(body.contains(&format!("Exit code: 3. Reports: {}", dir.path().display())), "{body}");

    let unchanged = scan(&account, &args);
    assert_eq!(unchanged.status.code(), Some(3), "{}", stderr(&unchanged));
    assert_eq!(received(&account, &queue), [], "nothing changed: no message");
    let always = scan(&account, &[&args[..], &["--notify-always"]].concat());
    assert_eq!(always.status.code(), Some(3), "{}", stderr(&always));
    let messages = received(&account, &queue);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "bulkhead: 0 new FAIL, 0 resolved, exit 3");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_findings_are_imported_into_security_hub() {
    let account = Account::seeded("history");
    python(&account, "client('securityhub', 'eu-west-1').enable_security_hub(EnableDefaultStandards=False)", &[]);
    let dir = tempfile::tempdir().unwrap();
    let output = scan(&account, &["--output-dir", dir.path().to_str().unwrap(), "--security-hub"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("bulkhead.json")).unwrap()).unwrap();
    let findings = report["findings"].as_array().unwrap().len();
    assert!(
        stderr(&output).contains(&format!("Security Hub accepted {findings} finding(s) and rejected 0")),
        "{}",
        stderr(&output)
    );
    let read_back = python(
        &account,
        "hub = client('securityhub', 'eu-west-1')\n\
         found = [f for page in hub.get_paginator('get_findings').paginate() for f in page['Findings']]\n\
         print(json.dumps([[f['Id'], f['Workflow']['Status'], f['RecordState']] for f in found]))",
        &[],
    );
    let read_back: Vec<(String, String, String)> = serde_json::from_str(&read_back).unwrap();
    assert_eq!(read_back.len(), findings);
    let passing = read_back.iter().find(|(id, ..)| id.ends_with("/stays-passing")).unwrap();
    assert_eq!((passing.1.as_str(), passing.2.as_str()), ("RESOLVED", "ARCHIVED"), "a PASS closes its finding");
    let failing = read_back.iter().find(|(id, ..)| id.ends_with("/stays-failing")).unwrap();
    assert_eq!((failing.1.as_str(), failing.2.as_str()), ("NEW", "ACTIVE"));
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_sharded_scan_merged_into_a_store_drifts_on_the_next_merged_run() {
    let account = Account::seeded("history");
    let bucket = make_bucket(&account);
    let store = format!("s3://{bucket}/org/bulkhead.db");
    let merged_at = format!("s3://{bucket}/org/merged");
    // A nightly run: the shard scans (one here), then their merge into the store.
    let night = |run: &str, extra: &[&str]| {
        let shards = tempfile::tempdir().unwrap();
        let shard = scan(
            &account,
            &["--output-dir", shards.path().to_str().unwrap(), "--no-store", "--shard", "0/1", "--run-id", run],
        );
        assert_eq!(shard.status.code(), Some(3), "{}", stderr(&shard));
        let local = tempfile::tempdir().unwrap();
        let merged = bulkhead()
            .arg("merge")
            .arg(shards.path().join("bulkhead.json"))
            .args(["--output-dir", &merged_at, "--local-dir", local.path().to_str().unwrap(), "--store", &store])
            .args(["--endpoint-url", &endpoint(), "--region", "us-east-1"])
            .args(extra)
            .envs(account.env())
            .output()
            .unwrap();
        (merged, local)
    };
    let (first, _) = night("night-1", &[]);
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    let first_report = s3_json(&account, &bucket, "org/merged/bulkhead.json");
    let first_started = first_report["scan"]["started_at"].as_str().unwrap().to_owned();

    change_account(&account);
    let (second, _) = night("night-2", &[]);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    let report = s3_json(&account, &bucket, "org/merged/bulkhead.json");
    let store_copy = tempfile::tempdir().unwrap();
    let merged = drift(&s3_store(&account, &bucket, "org/bulkhead.db", store_copy.path()));
    let expected = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        merged,
        (expected(&["will-break"]), expected(&["will-be-fixed"]), expected(&["stays-failing", "will-be-deleted"]))
    );
    let stays = report["findings"].as_array().unwrap().iter().find(|f| f["resource_id"] == "stays-failing").unwrap();
    assert_eq!(stays["failing_since"], first_started.as_str(), "dated from the first merged run");

    // --fail-on-new against the store: nothing new since the second night.
    let (third, local) = night("night-3", &["--fail-on-new", "low"]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    let history = bulkhead()
        .args(["history", "list", "--store", local.path().join("from-s3.bulkhead.db").to_str().unwrap()])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&history.stdout);
    assert_eq!(listed.matches("complete").count(), 3, "{listed}");
}
