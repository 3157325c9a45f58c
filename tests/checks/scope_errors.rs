//! Every check's ERROR cases, tested once for all registered checks, so a
//! check's own test file needs only its PASS and FAIL cases.
//!
//! On an inventory in which every check judges something ([`judged_inventory`]):
//! - each place the walk of the check's [`Scope`] reads (a listing, a
//!   resource's nested data, a resource AWS listed but could not describe)
//!   fails in turn, and the check must give an ERROR naming the failure under
//!   the identity of what failed: the region for a listing, else the resource
//!   that holds the data or could not be described;
//! - each kind of inventory its rule `reads` besides fails in turn (every
//!   piece of that kind at once): the check must give an ERROR, unless the
//!   rule has another source for it (`FALLBACKS`), and then failing all its
//!   reads together must;
//! - whatever fails, a finding either stays as it was or becomes ERROR:
//!   data that failed to collect never turns into a PASS or a FAIL.

use std::collections::{BTreeMap, BTreeSet};

use bulkhead::checks::registry::CHECKS;
use bulkhead::checks::{Check, Context, Finding, PolicyKind, Scope};
use bulkhead::config::Config;
use bulkhead::inventory::ec2::Protocol;
use bulkhead::inventory::image_vulnerabilities::{Coverage, ImageVulnerabilities, ScanType, Vulnerability};
use bulkhead::inventory::{AccountInventory, ResourceKind};
use serde_json::{Value, json};

use crate::collection_failures::{at_path, collected_paths, full_inventory};
use crate::support::*;

/// Where the walk's ERROR for a failed place lands.
#[derive(Debug, Clone, Copy)]
enum Under {
    /// The region, about the account (a listing that failed there).
    Region,
    /// The resource that holds the failed data (a repository whose images failed).
    Holder,
    /// The resource AWS listed but could not describe (`failures[]`).
    Itself,
    /// A resource the check judged on the full inventory (the password policy).
    Judged,
    /// A stand-in id for all resources of a kind (`user/*`).
    Named(&'static str),
}

/// The places the walk of `scope` reads, by field name (`outer..field`: a
/// `field` inside `outer`), and where each one's ERROR lands.
fn walk_failures(scope: &Scope) -> &'static [(&'static str, Under)] {
    use Under::*;
    match scope {
        Scope::SecurityGroups(_) => &[("security_groups", Region)],
        Scope::NetworkAcls(_) => &[("network_acls", Region)],
        Scope::Vpcs(_) => &[("vpcs", Region)],
        Scope::LoadBalancers(_) => &[("load_balancers", Region)],
        Scope::Registries(_) | Scope::RootUser(_) => &[],
        Scope::Repositories(_) => &[("repositories", Region)],
        Scope::Images(_) => &[("repositories", Region), ("images", Holder)],
        Scope::LatestImageScans(_) => &[("repositories", Region), ("latest_image_scan", Holder)],
        Scope::TrailCoverage(_) | Scope::Trails(_) => &[("trail_arns", Region)],
        Scope::Clusters(_) => &[("ecs..clusters", Region), ("ecs..undescribed_clusters", Itself)],
        Scope::Services(_) => &[
            ("ecs..clusters", Region),
            ("ecs..undescribed_clusters", Itself),
            ("services", Holder),
            ("undescribed_services", Itself),
        ],
        // The clusters: which revisions are in use is then unknown.
        Scope::TaskDefinitions(_) => &[("task_definitions", Region), ("definition", Holder), ("ecs..clusters", Region)],
        Scope::RunningTasks(_) => {
            &[("ecs..clusters", Region), ("ecs..undescribed_clusters", Itself), ("running_tasks", Holder)]
        }
        Scope::RegistryImages(_) => &[("task_definitions", Region), ("registry_images", Region), ("config", Holder)],
        Scope::ImagesInUse(_) => &[("task_definitions", Region), ("registry_images", Region)],
        Scope::TaskSets(_) => &[
            ("ecs..clusters", Region),
            ("ecs..undescribed_clusters", Itself),
            ("services", Holder),
            ("undescribed_services", Itself),
        ],
        Scope::EksClusters(_) => &[("eks..clusters", Region), ("eks..undescribed_clusters", Itself)],
        Scope::EksNodegroups(_) => &[
            ("eks..clusters", Region),
            ("eks..undescribed_clusters", Itself),
            ("nodegroups", Holder),
            ("undescribed_nodegroups", Itself),
            ("metadata", Holder),
        ],
        // The finding is about the account in the region, whatever failed there.
        Scope::GuardDuty(_) => &[("detectors", Region), ("details", Region)],
        Scope::Inspector(_) => &[("inspector2..account", Region)],
        Scope::PasswordPolicy(_) => &[("password_policy", Judged)],
        Scope::Users(_) => &[("credential_report", Named("user/*"))],
        Scope::ManagedPolicies(PolicyKind::Customer, _) => {
            &[("customer_policies", Named("policy/*")), ("customer_policies..document", Holder)]
        }
        Scope::ManagedPolicies(PolicyKind::Aws, _) => {
            &[("aws_policies", Named("policy/*")), ("aws_policies..document", Holder)]
        }
    }
}

/// The fields of the inventory that hold a kind.
fn fields_of(kind: ResourceKind) -> &'static [&'static str] {
    use ResourceKind as K;
    match kind {
        K::Ec2SecurityGroups => &["security_groups"],
        K::Ec2NetworkInterfaces => &["network_interfaces"],
        K::Ec2NetworkAcls => &["network_acls"],
        K::Ec2RouteTables => &["route_tables"],
        K::Ec2Vpcs => &["vpcs"],
        K::Ec2FlowLogs => &["flow_logs"],
        K::EcrRepositories => &["repositories"],
        K::EcrRegistryScanning => &["registry_scanning"],
        K::EcrRegistryPolicy => &["registry_policy"],
        K::EcrSigningConfiguration => &["signing_configuration", "managed_signing"],
        K::EcrRepositoryPolicies => &["policy"],
        K::EcrRepositoryScanning => &["scanning"],
        K::EcrLifecyclePolicies => &["lifecycle_policy"],
        K::EcrImages => &["images", "referrers"],
        K::EcrLatestImageScan => &["latest_image_scan"],
        K::EcrImageConfigs => &["registry_images", "config"],
        K::ImageVulnerabilities => &["vulnerabilities"],
        K::EcrImageLayers => &["layers"],
        K::CloudTrailTrails => &["trail_arns", "status", "event_selectors"],
        K::EcsClusters => &["ecs..clusters"],
        K::EcsServices => &["services"],
        K::EcsTasks => &["running_tasks", "running_task_definitions"],
        K::EcsTaskDefinitions => &["task_definitions", "definition"],
        K::LoadBalancers => &["load_balancers", "target_groups", "listeners"],
        K::LoadBalancerListeners => &["listeners"],
        K::LoadBalancerAttributes => &["attributes"],
        K::WebAcls => &["web_acls", "protects"],
        K::EksClusters => &["eks..clusters"],
        K::EksNodegroups => &["nodegroups", "metadata"],
        K::EksAccessEntries => &["access_entries", "policies"],
        K::GuardDutyDetectors => &["detectors", "details"],
        K::InspectorStatus => &["inspector2..account"],
        K::IamAccountSummary => &["summary"],
        K::IamPasswordPolicy => &["password_policy"],
        K::IamCredentialReport => &["credential_report"],
        K::IamVirtualMfaDevices => &["virtual_mfa_devices"],
        K::IamPolicies => &["customer_policies", "aws_policies", "document"],
    }
}

/// Reads a rule can do without on the judged inventory: the verdict has
/// another source, so failing one alone may leave it standing.
const OTHER_SOURCES: &[(&str, ResourceKind, &str)] = &[
    ("iam_root_mfa_enabled", ResourceKind::IamCredentialReport, "the account summary answers first"),
    ("iam_no_root_access_key", ResourceKind::IamCredentialReport, "the account summary answers first"),
    ("iam_root_hardware_mfa_enabled", ResourceKind::IamCredentialReport, "the account summary answers first"),
    (
        "ecr_images_internet_exposed_no_vulnerabilities",
        ResourceKind::EcsServices,
        "the task's public IP already shows the image exposed; services lead to load balancers",
    ),
    (
        "ecr_images_internet_exposed_no_vulnerabilities",
        ResourceKind::LoadBalancers,
        "the task's public IP already shows the image exposed",
    ),
    (
        "ecr_images_internet_exposed_no_vulnerabilities",
        ResourceKind::Ec2RouteTables,
        "the task's public IP already shows the image exposed; only an IPv6 address needs its subnet's routes",
    ),
];

/// One failure put into the inventory, and what its ERROR must name.
struct Injected {
    account: AccountInventory,
    marker: String,
    /// The ARN of the resource holding each failed place (`None` at region or account level).
    holders: Vec<Option<String>>,
    /// The ARN of each resource added as undescribed.
    undescribed: Vec<String>,
}

/// Every place named `field` (`outer..field`: inside `outer`) in the
/// serialised inventory: a `Collected` that is `Ok`, or a list of
/// undescribed resources.
fn places(inventory: &Value, field: &str) -> Vec<Vec<String>> {
    let (outer, field) = field.split_once("..").map_or((None, field), |(outer, field)| (Some(outer), field));
    let mut found = Vec::new();
    if field.starts_with("undescribed_") {
        undescribed_lists(inventory, &mut Vec::new(), field, &mut found);
    } else {
        collected_paths(inventory, &mut Vec::new(), &mut found);
        found.retain(|path| path.last().is_some_and(|last| last == field));
    }
    found.retain(|path| outer.is_none_or(|outer| path.iter().any(|segment| segment == outer)));
    found
}

fn undescribed_lists(value: &Value, path: &mut Vec<String>, field: &str, found: &mut Vec<Vec<String>>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(key, child)| (key.clone(), child)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(index, child)| (index.to_string(), child)).collect(),
        _ => return,
    };
    for (key, child) in children {
        path.push(key);
        if path.last().is_some_and(|last| last == field) && child.is_array() {
            found.push(path.clone());
        } else {
            undescribed_lists(child, path, field, found);
        }
        path.pop();
    }
}

/// The ARN of the nearest object above `path` that has one.
fn holder_arn(inventory: &Value, path: &[String]) -> Option<String> {
    (1..path.len()).rev().find_map(|depth| {
        let mut value = inventory.clone();
        let holder = at_path(&mut value, &path[..depth]);
        holder.get("arn").and_then(Value::as_str).map(str::to_owned)
    })
}

/// The full inventory with every place in `paths` failed.
fn inject(inventory: &Value, paths: &[Vec<String>], label: &str) -> Injected {
    let marker = format!("injected failure of {label}");
    let error = json!({"service": "ecs", "operation": "Injected", "region": REGION, "kind": "access_denied", "message": marker});
    let mut value = inventory.clone();
    let mut holders = Vec::new();
    let mut undescribed = Vec::new();
    // Outer places first; what is inside a place already failed is gone with it.
    let mut paths = paths.to_vec();
    paths.sort_by_key(Vec::len);
    let mut failed: Vec<&[String]> = Vec::new();
    for path in &paths {
        if failed.iter().any(|outer| path.starts_with(outer)) {
            continue;
        }
        failed.push(path);
        let place = at_path(&mut value, path);
        if let Value::Array(list) = place {
            let arn = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:injected/gone-{}", undescribed.len());
            list.push(json!({"id": format!("gone-{}", undescribed.len()), "arn": arn, "error": error}));
            undescribed.push(arn);
        } else {
            *place = json!({"failed": error});
            holders.push(holder_arn(inventory, path));
        }
    }
    let account = serde_json::from_value(value).unwrap_or_else(|err| panic!("{label}: {err}"));
    Injected { account, marker, holders, undescribed }
}

fn run_check(check: &Check, account: &AccountInventory) -> Vec<Finding> {
    check.run(&Context { account, config: &Config::default(), now: at(NOW) })
}

type Identity = (String, String, String);

fn identity(finding: &Finding) -> Identity {
    (finding.region.clone(), finding.resource_id.clone(), finding.resource_arn.clone())
}

/// Nothing that failed turned into a PASS or a FAIL it was not before.
fn assert_only_errors_changed(check: &str, what: &str, before: &[Finding], after: &[Finding]) {
    let before: BTreeMap<Identity, Status> = before.iter().map(|finding| (identity(finding), finding.status)).collect();
    for finding in after.iter().filter(|finding| finding.status != Status::Error) {
        assert!(
            before.get(&identity(finding)) == Some(&finding.status),
            "{check}, {what} failed: {:?} {} is {:?}, which it was not with everything collected: {}",
            finding.resource_id,
            finding.region,
            finding.status,
            finding.message
        );
    }
}

/// `collection_failures`' inventory with one of everything, plus what the
/// checks of images, running tasks and the default security group judge: a
/// default group; container `web` of `app:1` naming `app:v1` of the
/// account's ECR, with no user of its own; that image listed in its
/// repository, read and scanned (a critical finding), and run by a task of
/// the FARGATE service `web` with a public IP in a group open on its port.
fn judged_inventory() -> AccountInventory {
    let mut account = full_inventory();
    let reference = own_ecr_image("app", "v1");
    let mut image = registry_image(&reference, Collected::Ok(image_config()));
    image.vulnerabilities = Collected::Ok(ImageVulnerabilities {
        scan_type: Some(ScanType::Enhanced),
        coverage: Coverage::Complete,
        status: Some("ACTIVE".into()),
        completed_at: None,
        findings: vec![Vulnerability {
            id: "CVE-2024-0001".into(),
            severity: "CRITICAL".into(),
            packages: Vec::new(),
            fix_available: None,
            exploit_available: None,
            score: None,
            uri: None,
            title: None,
        }],
    });
    let digest = image.digest.clone().unwrap();
    account.registry_images = Collected::Ok(vec![image]);

    let region = account.regions.get_mut(REGION).unwrap();
    let Collected::Ok(groups) = &mut region.ec2.security_groups else { unreachable!() };
    let mut default = security_group("sg-0");
    default.name = "default".into();
    let mut open = security_group("sg-web");
    open.ingress = vec![permission(Protocol::Tcp, Some((8080, 8080)), "0.0.0.0/0")];
    groups.extend([default, open]);
    let Collected::Ok(interfaces) = &mut region.ec2.network_interfaces else { unreachable!() };
    interfaces.push(network_interface("eni-web", &["sg-web"], Some("203.0.113.7")));
    // The load balancer of the full inventory stays: the edge checks judge it.
    region.elbv2.target_groups = Collected::Ok(Vec::new());

    let Collected::Ok(repositories) = &mut region.ecr.repositories else { unreachable!() };
    let mut listed = fixtures::image(&repositories[0], digest.trim_start_matches("sha256:"), &["v1"]);
    listed.referrers = Collected::Ok(Vec::new());
    listed.managed_signing = Collected::Ok(Vec::new());
    let Collected::Ok(images) = &mut repositories[0].images else { unreachable!() };
    images.push(listed);

    let Collected::Ok(entries) = &mut region.ecs.task_definitions else { unreachable!() };
    let Collected::Ok(definition) = &mut entries[0].definition else { unreachable!() };
    definition.containers[0].image = reference;
    definition.containers[0].user = None;
    let definition = definition.clone();
    let Collected::Ok(clusters) = &mut region.ecs.clusters else { unreachable!() };
    let prod = &mut clusters[0];
    let mut task = running_task(prod, Some("web"), &definition);
    task.network_interfaces = vec!["eni-web".into()];
    task.containers[0].image_digest = Some(digest);
    prod.running_tasks = Collected::Ok(vec![task]);
    let Collected::Ok(services) = &mut prod.services else { unreachable!() };
    services[0].launch_type = Some("FARGATE".into());
    services[0].platform_version = Some("LATEST".into());
    account
}

#[test]
fn every_place_a_scope_walks_failed_is_error_under_its_identity() {
    let inventory = serde_json::to_value(judged_inventory()).unwrap();
    let account_arn = judged_inventory().arn_of_account();
    let mut problems = Vec::new();
    for check in CHECKS {
        let before = run_check(check, &judged_inventory());
        let judged: BTreeSet<Identity> = before.iter().map(identity).collect();
        for &(field, under) in walk_failures(&check.scope) {
            let found = places(&inventory, field);
            assert!(!found.is_empty(), "{}: the full inventory has no {field} to fail", check.id);
            for path in found {
                let what = path.join(".");
                let injected = inject(&inventory, std::slice::from_ref(&path), &what);
                let after = run_check(check, &injected.account);
                assert_only_errors_changed(check.id, &what, &before, &after);
                let names =
                    |finding: &&Finding| finding.status == Status::Error && finding.message.contains(&injected.marker);
                let lands = |finding: &Finding| match under {
                    Under::Region => finding.resource_id == finding.region && finding.resource_arn == account_arn,
                    Under::Holder => injected.holders.contains(&Some(finding.resource_arn.clone())),
                    Under::Itself => injected.undescribed.contains(&finding.resource_arn),
                    Under::Judged => judged.contains(&identity(finding)),
                    Under::Named(id) => finding.resource_id == id && finding.resource_arn == account_arn,
                };
                if !after.iter().filter(names).any(lands) {
                    problems.push(format!("{}: {what} failed gives no ERROR under {under:?}: {after:#?}", check.id));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_kind_a_rule_reads_failed_is_error() {
    let inventory = serde_json::to_value(judged_inventory()).unwrap();
    let mut problems = Vec::new();
    for check in CHECKS.iter().filter(|check| !check.reads.is_empty()) {
        let before = run_check(check, &judged_inventory());
        let fail = |kinds: &[ResourceKind]| {
            let paths: Vec<Vec<String>> =
                kinds.iter().flat_map(|kind| fields_of(*kind)).flat_map(|field| places(&inventory, field)).collect();
            let label = format!("{kinds:?}");
            let injected = inject(&inventory, &paths, &label);
            let after = run_check(check, &injected.account);
            assert_only_errors_changed(check.id, &label, &before, &after);
            after.iter().any(|finding| finding.status == Status::Error && finding.message.contains(&injected.marker))
        };
        for &kind in check.reads {
            let other_source = OTHER_SOURCES.iter().any(|&(id, read, _)| (id, read) == (check.id, kind));
            if !fail(&[kind]) && !other_source {
                problems.push(format!("{}: {kind:?} failed gives no ERROR", check.id));
            }
        }
        if !fail(check.reads) {
            problems.push(format!("{}: all it reads failed gives no ERROR", check.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The inventory the tests above fail piece by piece gives every check
/// something to judge, so a failure has a verdict to turn into ERROR.
#[test]
fn the_judged_inventory_gives_every_check_a_verdict() {
    let account = judged_inventory();
    let idle: Vec<&str> = CHECKS
        .iter()
        .filter(|check| run_check(check, &account).iter().all(|finding| finding.status == Status::Error))
        .map(|check| check.id)
        .collect();
    assert!(idle.is_empty(), "no PASS or FAIL on judged_inventory (give it a resource the check judges): {idle:?}");
}
