//! Every `Collected` field of an inventory, failed in turn: the failure is
//! in the report's error list (so `Visit` covers the field), it gives at
//! least one ERROR finding, and no finding it changes becomes anything but
//! ERROR. The fields are found in the inventory's serialised form, so a new
//! field is covered without touching this test.

use std::collections::BTreeMap;

use bulkhead::checks::registry::CHECKS;
use bulkhead::checks::{Context, Finding};
use bulkhead::config::Config;
use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::cloudtrail::TrailStatus;
use bulkhead::inventory::ecr::{RegistryScanning, Repository, RepositoryScanning, SigningConfiguration, SigningRule};
use bulkhead::inventory::ecs::{Cluster, TaskSet};
use bulkhead::inventory::eks::{AccessEntry, AccessPolicy, EksCluster};
use bulkhead::inventory::iam::{AccountSummary, PasswordPolicy};
use bulkhead::inventory::inspector2::InspectorAccount;
use serde_json::{Value, json};

use crate::support::*;

/// One of everything, every piece collected.
pub fn full_inventory() -> AccountInventory {
    let mut repo = repository("app");
    let mut listed = image(&repo, "a", &["v1"]);
    listed.referrers = Collected::Ok(Vec::new());
    listed.managed_signing = Collected::Ok(Vec::new());
    repo.latest_image_scan = Collected::Ok(Some(image_scan(&listed, &[("HIGH", 1)])));
    repo.images = Collected::Ok(vec![listed]);
    repo.policy = Collected::Ok(Some(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}"#.into()));
    repo.scanning =
        Collected::Ok(RepositoryScanning { scan_on_push: false, scan_frequency: None, applied_filters: vec![] });
    let repo = Repository { ..repo };
    let prod = cluster("prod");
    let mut web = service(&prod, "web");
    web.task_definition = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/app:1");
    web.task_sets = vec![TaskSet {
        id: "prod/web/ecs-svc/1".into(),
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-set/prod/web/ecs-svc/1"),
        status: Some("PRIMARY".into()),
        assign_public_ip: Some("DISABLED".into()),
    }];
    let prod = Cluster { services: Collected::Ok(vec![web]), ..prod };
    let mut trail = trail("t");
    trail.status = Collected::Ok(TrailStatus {
        is_logging: true,
        latest_delivery_time: None,
        latest_cloudwatch_logs_delivery_time: None,
    });

    let mut account = account_with_task_definitions(vec![task_definition("app", 1, vec![container("web")])]);
    {
        let region = account.regions.get_mut(REGION).unwrap();
        region.ec2.security_groups = Collected::Ok(vec![security_group("sg-1")]);
        region.ec2.network_interfaces = Collected::Ok(vec![network_interface("eni-1", &["sg-1"], None)]);
        region.ec2.network_acls = Collected::Ok(vec![network_acl("acl-1")]);
        region.ec2.vpcs = Collected::Ok(vec![vpc("vpc-1")]);
        region.ec2.flow_logs = Collected::Ok(Vec::new());
        let mut edge = load_balancer("edge", "internet-facing", "application");
        edge.listeners = Collected::Ok(vec![listener(80, "HTTP")]);
        region.elbv2.load_balancers = Collected::Ok(vec![edge]);
        region.elbv2.web_acls = Collected::Ok(vec![web_acl("other", &[])]);
        region.ecr.repositories = Collected::Ok(vec![repo]);
        region.ecr.registry_scanning = Collected::Ok(RegistryScanning { scan_type: "BASIC".into(), rules: vec![] });
        region.ecr.registry_policy = Collected::Ok(None);
        region.ecr.signing_configuration = Collected::Ok(Some(SigningConfiguration {
            rules: vec![SigningRule {
                signing_profile_arn: "arn:aws:signer:::/signing-profiles/p".into(),
                repository_filters: vec![],
            }],
        }));
        region.ecs.clusters = Collected::Ok(vec![prod]);
        region.eks.clusters = Collected::Ok(vec![eks_cluster_with_everything()]);
        region.guardduty.detectors = Collected::Ok(vec![detector("d1", &[("EKS_AUDIT_LOGS", "ENABLED")])]);
        region.inspector2.account =
            Collected::Ok(InspectorAccount { status: Some("ENABLED".into()), ecr: Some("ENABLED".into()) });
        region.cloudtrail.trail_arns = Collected::Ok(vec![trail.arn.clone()]);
    }
    account.trails = BTreeMap::from([(trail.arn.clone(), trail)]);
    let iam = &mut account.iam;
    // No root row: the summary is then the only source on the root user.
    iam.summary = Collected::Ok(AccountSummary { account_mfa_enabled: Some(1), account_access_keys_present: Some(1) });
    iam.password_policy = Collected::Ok(Some(PasswordPolicy {
        minimum_password_length: Some(8),
        require_symbols: false,
        require_numbers: false,
        require_uppercase_characters: false,
        require_lowercase_characters: false,
        expire_passwords: false,
        max_password_age: None,
        password_reuse_prevention: None,
    }));
    iam.credential_report = Collected::Ok(credential_report(at(NOW), vec![user("alice")]));
    iam.virtual_mfa_devices = Collected::Ok(Vec::new());
    iam.customer_policies = Collected::Ok(vec![managed_policy(
        "Admin",
        r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )]);
    iam.account_alias = Collected::Ok(Some("acme-prod".into()));
    iam.aws_policies = Collected::Ok(vec![managed_policy(
        "ReadOnly",
        r#"{"Statement":[{"Effect":"Allow","Action":"ecr:Get*","Resource":"*"}]}"#,
    )]);
    account
}

/// An EKS cluster with a node group that names a launch template and an
/// access entry of another account's principal, every piece collected.
fn eks_cluster_with_everything() -> EksCluster {
    let mut cluster = eks_cluster("k8s");
    let group = nodegroup(&cluster, "workers");
    cluster.nodegroups = Collected::Ok(vec![group]);
    cluster.access_entries = Collected::Ok(vec![AccessEntry {
        principal_arn: "arn:aws:iam::999988887777:role/vendor".into(),
        principal_account: Some("999988887777".into()),
        policies: Some(Collected::Ok(vec![AccessPolicy {
            policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy".into(),
            scope: Some("cluster".into()),
            namespaces: Vec::new(),
        }])),
    }]);
    cluster
}

/// The JSON paths of every `{"ok": ...}`: a `Collected::Ok`.
pub fn collected_paths(value: &Value, path: &mut Vec<String>, found: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            if map.len() == 1 && map.contains_key("ok") {
                found.push(path.clone());
            }
            for (key, child) in map {
                path.push(key.clone());
                collected_paths(child, path, found);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(index.to_string());
                collected_paths(child, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

pub fn at_path<'v>(value: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(value, |value, key| match value {
        Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
        other => &mut other[key.as_str()],
    })
}

fn evaluate(account: &AccountInventory) -> BTreeMap<(String, String, String), Finding> {
    let config = Config::default();
    let context = Context { account, config: &config, now: at(NOW) };
    CHECKS
        .iter()
        .flat_map(|check| check.run(&context))
        .map(|finding| ((finding.check_id.clone(), finding.region.clone(), finding.resource_id.clone()), finding))
        .collect()
}

/// Fields that only describe other resources in messages (where a security
/// group is attached): when they fail, verdicts stay and messages say so.
const CONTEXT_ONLY: &[&str] = &["network_interfaces"];

/// Fields that only describe one kind of check's resources in its messages
/// (the ECS services behind a load balancer, the running tasks in a VPC),
/// while other checks judge them: when they fail, the verdicts of the
/// checks whose ids start with the prefix stay and their messages say so.
const CONTEXT_FOR: &[(&str, &str)] =
    &[("elbv2_", "clusters"), ("elbv2_", "services"), ("vpc_", "clusters"), ("vpc_", "running_tasks")];

/// Fields that only name things in the reports (the account alias): when
/// they fail, no finding changes and the scan is not incomplete.
const NAMING_ONLY: &[&str] = &["account_alias"];

#[test]
fn every_collected_field_failed_is_error_never_pass() {
    let baseline = full_inventory();
    assert!(baseline.errors().is_empty());
    let before = evaluate(&baseline);
    let serialised = serde_json::to_value(&baseline).unwrap();
    let mut paths = Vec::new();
    collected_paths(&serialised, &mut Vec::new(), &mut paths);
    assert!(paths.len() >= 25, "the fixture holds every kind of field: {}", paths.len());

    for (index, path) in paths.iter().enumerate() {
        let marker = format!("injected failure {index}");
        let mut value = serialised.clone();
        *at_path(&mut value, path) = json!({"failed": {
            "service": "ecr", "operation": "Injected", "region": REGION, "kind": "access_denied", "message": marker
        }});
        let account: AccountInventory = serde_json::from_value(value).unwrap();
        let where_ = path.join(".");
        if NAMING_ONLY.iter().any(|field| path.last().is_some_and(|last| last == field)) {
            assert!(account.errors().is_empty(), "{where_}: a naming field failed is no collection error");
            let after = evaluate(&account);
            assert_eq!(after.len(), before.len(), "{where_}");
            for (key, finding) in &after {
                let old = &before[key];
                assert_eq!((finding.status, &finding.message), (old.status, &old.message), "{where_}: {key:?}");
            }
            continue;
        }
        assert!(
            account.errors().iter().any(|err| err.message == marker),
            "{where_}: the report's error list misses it (add the field to its Visit impl)"
        );
        let after = evaluate(&account);
        if CONTEXT_ONLY.iter().any(|field| path.last().is_some_and(|last| last == field)) {
            for (key, finding) in &after {
                assert_eq!(Some(finding.status), before.get(key).map(|old| old.status), "{where_}: {key:?}");
            }
            assert!(after.values().any(|finding| finding.message.contains("unknown")), "{where_}: no message says so");
            continue;
        }
        assert!(
            after.values().any(|finding| finding.status == Status::Error && finding.message.contains(&marker)),
            "{where_}: no ERROR finding names the failure"
        );
        for (key, finding) in &after {
            let unchanged =
                before.get(key).is_some_and(|old| old.status == finding.status && old.message == finding.message);
            let described = CONTEXT_FOR
                .iter()
                .any(|(prefix, field)| key.0.starts_with(prefix) && path.last().is_some_and(|last| last == field));
            if described {
                let old = &before[key];
                assert_eq!(finding.status, old.status, "{where_}: {key:?} is context there");
                assert!(finding.message.contains("unknown") || finding.message == old.message, "{where_}: {key:?}");
                continue;
            }
            assert!(
                unchanged || finding.status == Status::Error,
                "{where_}: {key:?} became {:?}: {}",
                finding.status,
                finding.message
            );
        }
    }
}
