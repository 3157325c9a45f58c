//! What a vulnerability ranking joins, collected from the emulator's real
//! answers (tests/fixtures/image_vulnerabilities.yaml): load balancers with
//! the listeners of the internet-facing ones, target groups, the services'
//! `loadBalancers[]`, and the scan findings of the images in use, basic and
//! enhanced; an image never scanned costs no `DescribeImageScanFindings`.
//!
//! No check reads these kinds yet, so the scan's `--save-inventory` would
//! not collect them: the collector is run through the library, with exactly
//! those needs, in a child process (this test binary again, running the
//! ignored test below) that gets the seeded account's credentials in its
//! environment, where the SDK's credential chain reads them.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use bulkhead::aws::session::RetryMode;
use bulkhead::aws::{CallGate, ConcurrencyLimits, Session, SessionOptions};
use bulkhead::inventory::{AccountTarget, CollectContext, Needs, ResourceKind, collect_account};
use serde_json::{Value, json};

use crate::support::{Account, endpoint, text};

const REGIONS: [&str; 2] = ["eu-west-1", "eu-central-1"];
const CHILD: &str = "image_vulnerabilities::collected_in_a_child";

/// Runs [`collected_in_a_child`] for `account`: its inventory and call counts.
fn collect(account: &Account) -> (Value, BTreeMap<String, u64>) {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("collected.json");
    let output = Command::new(std::env::current_exe().unwrap())
        .args([CHILD, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(account.env())
        .env("BULKHEAD_TEST_COLLECT_ACCOUNT", &account.id)
        .env("BULKHEAD_TEST_COLLECT_OUT", &path)
        .output()
        .unwrap();
    assert!(output.status.success(), "the child collection failed:\n{}", String::from_utf8_lossy(&output.stdout));
    let collected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut calls = BTreeMap::new();
    for op in collected["calls"]["operations"].as_array().unwrap() {
        *calls.entry(format!("{}:{}", text(&op["service"]), text(&op["operation"]))).or_default() +=
            op["calls"].as_u64().unwrap();
    }
    (collected["inventory"].clone(), calls)
}

#[test]
#[ignore = "run by the tests of this module in a child process, with the seeded account's credentials"]
fn collected_in_a_child() {
    let account_id = std::env::var("BULKHEAD_TEST_COLLECT_ACCOUNT").expect("only run by collect()");
    let out = std::env::var("BULKHEAD_TEST_COLLECT_OUT").expect("only run by collect()");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let collected = runtime.block_on(async {
        let limits = ConcurrencyLimits { global: 16.try_into().unwrap(), per_endpoint: 8.try_into().unwrap() };
        let gate = CallGate::new(limits);
        let options = SessionOptions {
            profile: None,
            region: Some("us-east-1".to_owned()),
            endpoint_url: Some(endpoint()),
            retry_mode: RetryMode::Standard,
            max_attempts: 3,
            connect_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(30),
        };
        let session = Session::load(&options, gate.ledger().clone()).await.expect("the session loads");
        let needs = Needs::of([ResourceKind::ImageVulnerabilities, ResourceKind::LoadBalancers]);
        let layers = Default::default();
        let context =
            CollectContext { session: &session, gate: &gate, needs: &needs, layers: &layers, on_region_done: None };
        let target =
            AccountTarget { account_id, partition: "aws".to_owned(), regions: REGIONS.map(str::to_owned).to_vec() };
        let inventory = collect_account(&context, &target).await;
        json!({"inventory": inventory, "calls": gate.ledger().stats()})
    });
    std::fs::write(out, collected.to_string()).unwrap();
}

fn by_name<'a>(items: &'a Value, field: &str, name: &str) -> &'a Value {
    let items = items["ok"].as_array().unwrap_or_else(|| panic!("not collected: {items}"));
    items.iter().find(|item| item[field] == name).unwrap_or_else(|| panic!("no {name} in {items:#?}"))
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_collector_reads_load_balancers_and_basic_and_enhanced_findings() {
    let account = Account::seeded("image_vulnerabilities");
    let (inventory, calls) = collect(&account);
    let ireland = &inventory["regions"]["eu-west-1"];

    // Load balancers: the internet-facing one with its listener, the
    // internal one without (its listeners are never asked for).
    let balancers = &ireland["elbv2"]["load_balancers"];
    assert_eq!(balancers["ok"].as_array().unwrap().len(), 2, "{balancers}");
    let public = by_name(balancers, "name", "public");
    assert_eq!((public["scheme"].as_str(), public["kind"].as_str()), (Some("internet-facing"), Some("application")));
    assert_eq!(public["security_groups"].as_array().unwrap().len(), 1, "{public}");
    assert!(text(&public["security_groups"][0]).starts_with("sg-"), "{public}");
    let listeners = public["listeners"]["ok"].as_array().unwrap_or_else(|| panic!("{public}"));
    assert_eq!(listeners.len(), 1, "{public}");
    assert_eq!((listeners[0]["port"].as_i64(), listeners[0]["protocol"].as_str()), (Some(443), Some("HTTPS")));
    assert!(listeners[0]["ssl_policy"].is_string(), "an HTTPS listener has a security policy: {public}");
    let private = by_name(balancers, "name", "private");
    assert_eq!(private["scheme"], "internal");
    assert_eq!(private["listeners"], "not_requested");

    // Target groups, each naming the load balancer that forwards to it.
    let groups = &ireland["elbv2"]["target_groups"];
    assert_eq!(groups["ok"].as_array().unwrap().len(), 2, "{groups}");
    let api = by_name(groups, "name", "api");
    assert_eq!((api["port"].as_i64(), api["protocol"].as_str()), (Some(8080), Some("HTTP")));
    assert_eq!(api["target_type"], "ip");
    assert_eq!(api["load_balancer_arns"], json!([public["arn"]]));
    assert_eq!(by_name(groups, "name", "admin")["load_balancer_arns"], json!([private["arn"]]));

    // The services say which target group they sit behind.
    let cluster = by_name(&ireland["ecs"]["clusters"], "name", "prod");
    let service = by_name(&cluster["services"], "name", "api");
    assert_eq!(
        service["load_balancers"],
        json!([{"target_group_arn": api["arn"], "load_balancer_name": null, "container_name": "web", "container_port": 8080}])
    );

    // A region without load balancers: empty lists, not missing ones.
    let frankfurt = &inventory["regions"]["eu-central-1"]["elbv2"];
    assert_eq!(frankfurt["load_balancers"], json!({"ok": []}));
    assert_eq!(frankfurt["target_groups"], json!({"ok": []}));

    // The images in use and what their scans found.
    let images = &inventory["registry_images"];
    assert_eq!(images["ok"].as_array().unwrap().len(), 5, "{images:#?}");
    let image = |repository: &str, reference_ends: &str| {
        images["ok"]
            .as_array()
            .unwrap()
            .iter()
            .find(|image| image["repository"] == repository && text(&image["references"][0]).ends_with(reference_ends))
            .unwrap_or_else(|| panic!("no {repository}{reference_ends} in {images:#?}"))["vulnerabilities"]
            .clone()
    };

    // BASIC: findings[] with the package from the attributes, no fix data.
    let basic = image("reporting", ":api")["ok"].clone();
    assert_eq!(basic["scan_type"], "basic");
    assert_eq!(basic["coverage"], "complete");
    assert_eq!(basic["status"], "COMPLETE");
    assert_eq!(basic["findings"].as_array().unwrap().len(), 2, "{basic:#}");
    assert_eq!(
        basic["findings"][0],
        json!({
            "id": "CVE-2024-3094", "severity": "CRITICAL",
            "packages": [{"name": "xz-utils", "installed_version": "5.6.0", "fixed_in": null}],
            "fix_available": null, "exploit_available": null, "score": 10.0,
            "uri": "https://nvd.nist.gov/vuln/detail/CVE-2024-3094", "title": null,
        })
    );
    assert_eq!(basic["findings"][1]["severity"], "MEDIUM");
    let clean = image("reporting", ":admin")["ok"].clone();
    assert_eq!((clean["coverage"].as_str(), clean["findings"].as_array().map(Vec::len)), (Some("complete"), Some(0)));
    let never = image("reporting", ":never")["ok"].clone();
    assert_eq!(never["coverage"], "never_scanned");
    assert_eq!(never["status"], Value::Null);

    // ENHANCED: enhancedFindings[] with fix and exploit availability.
    let enhanced = image("billing", ":v1")["ok"].clone();
    assert_eq!(enhanced["scan_type"], "enhanced");
    assert_eq!(enhanced["coverage"], "complete");
    assert_eq!(enhanced["findings"].as_array().unwrap().len(), 2, "{enhanced:#}");
    let regresshion = &enhanced["findings"][0];
    assert_eq!(regresshion["id"], "CVE-2024-6387");
    assert_eq!(regresshion["severity"], "CRITICAL");
    assert_eq!(
        regresshion["packages"],
        json!([{"name": "openssh", "installed_version": "9.6p1", "fixed_in": "9.8p1"}])
    );
    assert_eq!(
        (regresshion["fix_available"].as_str(), regresshion["exploit_available"].as_str()),
        (Some("YES"), Some("YES"))
    );
    assert_eq!(regresshion["score"], 9.8);
    assert_eq!(regresshion["title"], "CVE-2024-6387 - openssh");
    assert_eq!(
        (enhanced["findings"][1]["fix_available"].as_str(), enhanced["findings"][1]["score"].as_f64()),
        (Some("NO"), None)
    );
    // Scanned under ENHANCED, but no enhanced results: unknown, never clean.
    let stale = image("billing", ":counts-only")["ok"].clone();
    assert_eq!(stale["scan_type"], "enhanced");
    let reason = text(&stale["coverage"]["unknown"]["reason"]);
    assert!(reason.contains("no enhanced results"), "{stale:#}");
    assert_eq!(stale["findings"], json!([]));

    // One findings call per scanned image in use (four), none for the one
    // never scanned; listeners only for the internet-facing load balancer.
    assert_eq!(calls["ecr:DescribeImageScanFindings"], 4, "{calls:?}");
    assert_eq!(calls["elasticloadbalancing:DescribeListeners"], 1, "{calls:?}");
    assert_eq!(calls["elasticloadbalancing:DescribeLoadBalancers"], 2, "{calls:?}");
    assert_eq!(calls["elasticloadbalancing:DescribeTargetGroups"], 2, "{calls:?}");
}
