//! Which resources a check judges, and the one walk for each kind.
//!
//! A check names its [`Scope`] and gives a rule for one resource; the walk
//! here visits every resource of that kind in every region, turns a listing
//! that failed into one ERROR for the region (through [`Findings::per_region`]),
//! and records each verdict against the resource's own identity. A rule
//! never walks and never builds a finding.

mod detection;
mod eks;

use jiff::Timestamp;

use super::verdict::{Judgement, Unknown, Verdict, reword};
use super::{Context, Findings};
use crate::inventory::cloudtrail::Trail;
use crate::inventory::ec2::{NetworkAcl, NetworkInterface, SecurityGroup};
use crate::inventory::ecr::{EcrRegion, Image, ImageScan, Repository, is_signable};
use crate::inventory::ecs::{Cluster, EcsService, RunningTask, TaskDefinition, TaskSet};
use crate::inventory::eks::{EksCluster, Nodegroup};
use crate::inventory::elbv2::LoadBalancer;
use crate::inventory::guardduty::Detector;
use crate::inventory::iam::{CredentialReportRow, IamAccount, ManagedPolicy, PasswordPolicy};
use crate::inventory::image_configs::{ImageConfig, RegistryImage};
use crate::inventory::inspector2::InspectorAccount;
use crate::inventory::vpc::Vpc;
use crate::inventory::{ResourceKind, Unavailable};

/// The kind of resource a check judges, with its rule for one of them.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    // EC2
    SecurityGroups(fn(&Context<'_>, &SecurityGroup) -> Verdict),
    NetworkAcls(fn(&Context<'_>, &NetworkAcl) -> Verdict),
    /// Every VPC of each region; the walk says what runs in each.
    Vpcs(fn(&Context<'_>, &str, &Vpc) -> Verdict),
    // ECR
    /// The private registry of each region (its scanning configuration and policy).
    Registries(fn(&Context<'_>, &Registry<'_>) -> Verdict),
    Repositories(fn(&Context<'_>, &Repository) -> Verdict),
    /// Every image of every repository (signatures and other referrers aside),
    /// with its region's registry and the repository's whole listing beside it.
    Images(fn(&Context<'_>, &Registry<'_>, &Repository, &Image, &[Image]) -> Verdict),
    /// The most recently pushed image of each repository that has one.
    LatestImageScans(fn(&Context<'_>, &Repository, &ImageScan) -> Verdict),
    // CloudTrail
    /// Each region, with the trails that apply to it.
    TrailCoverage(fn(&Context<'_>, &str, &[&Trail]) -> Verdict),
    /// Each distinct trail once, in its home region.
    Trails(fn(&Context<'_>, &Trail) -> Verdict),
    // ECS
    Clusters(fn(&Context<'_>, &Cluster) -> Verdict),
    Services(fn(&Context<'_>, &EcsService) -> Verdict),
    /// The latest ACTIVE revision of each family and every revision in use.
    TaskDefinitions(fn(&Context<'_>, &TaskDefinition) -> Verdict),
    /// Each RUNNING task of every cluster, in its region.
    RunningTasks(fn(&Context<'_>, &str, &RunningTask) -> Verdict),
    /// Each image of the account's own ECR that those task definitions name,
    /// with its config blob as read from the registry.
    RegistryImages(fn(&Context<'_>, &RegistryImage, &ImageConfig) -> Verdict),
    /// The same images whether or not their config could be read, for rules
    /// that judge what runs them rather than what is in them.
    ImagesInUse(fn(&Context<'_>, &RegistryImage) -> Verdict),
    // Elastic Load Balancing v2
    /// Every load balancer of every kind and scheme; the walk names the ECS
    /// services behind each.
    LoadBalancers(fn(&Context<'_>, &str, &LoadBalancer) -> Verdict),
    /// Each task set of every service.
    TaskSets(fn(&Context<'_>, &EcsService, &TaskSet) -> Verdict),
    // EKS
    EksClusters(fn(&Context<'_>, &EksCluster) -> Verdict),
    /// Each managed node group of every cluster.
    EksNodegroups(fn(&Context<'_>, &EksCluster, &Nodegroup) -> Verdict),
    // Detection
    /// Each region where GuardDuty is offered, with its detectors.
    GuardDuty(fn(&Context<'_>, &[Detector]) -> Verdict),
    /// Each region where Inspector is offered, with the account's status there.
    Inspector(fn(&Context<'_>, &InspectorAccount) -> Verdict),
    // IAM (global)
    /// The account's root user.
    RootUser(fn(&Context<'_>, &IamAccount) -> Verdict),
    /// The account password policy; an account without one FAILs.
    PasswordPolicy(fn(&Context<'_>, &PasswordPolicy) -> Verdict),
    /// Each IAM user's credential report row, with the time it was fetched.
    Users(fn(&Context<'_>, &CredentialReportRow, Timestamp) -> Verdict),
    /// Attached managed policies of one kind, with their default version's document.
    ManagedPolicies(PolicyKind, fn(&Context<'_>, &ManagedPolicy, &str) -> Verdict),
}

/// Customer managed or AWS managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Customer,
    Aws,
}

impl PolicyKind {
    fn label(self) -> &'static str {
        match self {
            PolicyKind::Customer => "Customer managed",
            PolicyKind::Aws => "AWS managed",
        }
    }

    fn policies(self, iam: &IamAccount) -> &crate::inventory::Collected<Vec<ManagedPolicy>> {
        match self {
            PolicyKind::Customer => &iam.customer_policies,
            PolicyKind::Aws => &iam.aws_policies,
        }
    }
}

/// One region's private registry.
#[derive(Debug, Clone, Copy)]
pub struct Registry<'a> {
    pub region: &'a str,
    pub account_id: &'a str,
    pub ecr: &'a EcrRegion,
}

impl Registry<'_> {
    /// `Registry 123456789012 in eu-west-1`, for messages.
    pub fn describe(&self) -> String {
        format!("Registry {} in {}", self.account_id, self.region)
    }
}

impl Scope {
    /// What walking this scope reads; a check adds what its rule reads besides.
    pub fn walks(&self) -> &'static [ResourceKind] {
        use ResourceKind as K;
        match self {
            Scope::SecurityGroups(_) => &[K::Ec2SecurityGroups, K::Ec2NetworkInterfaces],
            Scope::NetworkAcls(_) => &[K::Ec2NetworkAcls],
            // The interfaces and tasks only to say what runs in each VPC.
            Scope::Vpcs(_) => &[K::Ec2Vpcs, K::Ec2NetworkInterfaces, K::EcsTasks, K::EksClusters],
            Scope::Registries(_) => &[],
            Scope::Repositories(_) => &[K::EcrRepositories],
            Scope::Images(_) => &[K::EcrRepositories, K::EcrImages],
            Scope::LatestImageScans(_) => &[K::EcrRepositories, K::EcrLatestImageScan],
            Scope::TrailCoverage(_) | Scope::Trails(_) => &[K::CloudTrailTrails],
            Scope::Clusters(_) => &[K::EcsClusters],
            Scope::Services(_) => &[K::EcsClusters, K::EcsServices],
            Scope::TaskDefinitions(_) => &[K::EcsTaskDefinitions],
            Scope::RunningTasks(_) => &[K::EcsClusters, K::EcsTasks],
            Scope::RegistryImages(_) => &[K::EcsTaskDefinitions, K::EcrImageConfigs],
            Scope::ImagesInUse(_) => &[K::EcsTaskDefinitions, K::EcsTasks, K::EcrImageConfigs],
            // The services only to name those a load balancer fronts.
            Scope::LoadBalancers(_) => &[K::LoadBalancers, K::EcsServices],
            Scope::TaskSets(_) => &[K::EcsClusters, K::EcsServices],
            Scope::EksClusters(_) => &[K::EksClusters],
            Scope::EksNodegroups(_) => &[K::EksClusters, K::EksNodegroups],
            Scope::GuardDuty(_) => &[K::GuardDutyDetectors],
            Scope::Inspector(_) => &[K::InspectorStatus],
            Scope::RootUser(_) => &[],
            Scope::PasswordPolicy(_) => &[K::IamPasswordPolicy],
            Scope::Users(_) => &[K::IamCredentialReport],
            Scope::ManagedPolicies(..) => &[K::IamPolicies],
        }
    }

    pub(super) fn walk(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        match *self {
            Scope::SecurityGroups(rule) => security_groups(ctx, out, rule),
            Scope::NetworkAcls(rule) => network_acls(ctx, out, rule),
            Scope::Vpcs(rule) => super::scope_network::vpcs(ctx, out, rule),
            Scope::Registries(rule) => registries(ctx, out, rule),
            Scope::Repositories(rule) => repositories(ctx, out, rule),
            Scope::Images(rule) => images(ctx, out, rule),
            Scope::LatestImageScans(rule) => latest_image_scans(ctx, out, rule),
            Scope::TrailCoverage(rule) => trail_coverage(ctx, out, rule),
            Scope::Trails(rule) => trails(ctx, out, rule),
            Scope::Clusters(rule) => clusters(ctx, out, rule),
            Scope::Services(rule) => services(ctx, out, rule),
            Scope::TaskDefinitions(rule) => task_definitions(ctx, out, rule),
            Scope::RunningTasks(rule) => running_tasks(ctx, out, rule),
            Scope::RegistryImages(rule) => registry_images(ctx, out, rule),
            Scope::ImagesInUse(rule) => images_in_use(ctx, out, rule),
            Scope::LoadBalancers(rule) => super::scope_network::load_balancers(ctx, out, rule),
            Scope::TaskSets(rule) => detection::task_sets(ctx, out, rule),
            Scope::EksClusters(rule) => eks::clusters(ctx, out, rule),
            Scope::EksNodegroups(rule) => eks::nodegroups(ctx, out, rule),
            Scope::GuardDuty(rule) => detection::guardduty(ctx, out, rule),
            Scope::Inspector(rule) => detection::inspector(ctx, out, rule),
            Scope::RootUser(rule) => root_user(ctx, out, rule),
            Scope::PasswordPolicy(rule) => password_policy(ctx, out, rule),
            Scope::Users(rule) => users(ctx, out, rule),
            Scope::ManagedPolicies(kind, rule) => managed_policies(ctx, out, kind, rule),
        }
    }
}

/// `Security group sg-... (name) <verdict>; <where it is attached>.`
fn security_groups(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &SecurityGroup) -> Verdict) {
    let account = ctx.account;
    for (region, groups) in out.per_region(|region| &region.ec2.security_groups) {
        let interfaces = account.regions[region].ec2.network_interfaces.get();
        for group in groups {
            let subject = format!("Security group {} ({})", group.id, group.name);
            let verdict = reword(
                rule(ctx, group),
                |why| format!("{subject} {why}; {}.", attachment(group, interfaces)),
                |why| format!("{subject}: {why}"),
            );
            out.record(region, group, verdict);
        }
    }
}

/// Where the group is in use, for the reader judging how exposed it is.
fn attachment(group: &SecurityGroup, interfaces: Result<&Vec<NetworkInterface>, Unavailable<'_>>) -> String {
    let Ok(interfaces) = interfaces else {
        return "its network interfaces are unknown (DescribeNetworkInterfaces failed)".to_owned();
    };
    let attached: Vec<&NetworkInterface> =
        interfaces.iter().filter(|interface| interface.security_group_ids.contains(&group.id)).collect();
    if attached.is_empty() {
        return "not attached to any network interface".to_owned();
    }
    let names: Vec<String> = attached
        .iter()
        .map(|interface| match &interface.public_ip {
            Some(ip) => format!("{} (public IP {ip})", interface.id),
            None => interface.id.clone(),
        })
        .collect();
    let public = if attached.iter().any(|interface| interface.public_ip.is_some()) {
        "at least one with a public IP"
    } else {
        "none with a public IP"
    };
    format!("attached to {} ({public})", names.join(", "))
}

/// `Network ACL acl-... "name" (vpc-..., associated with N subnets) <verdict>`
fn network_acls(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &NetworkAcl) -> Verdict) {
    for (region, acls) in out.per_region(|region| &region.ec2.network_acls) {
        for acl in acls {
            let kind = if acl.is_default { "default network ACL" } else { "Network ACL" };
            let vpc = acl.vpc_id.as_deref().unwrap_or("no VPC");
            let subnets = match acl.subnet_ids.len() {
                0 => "associated with no subnet".to_owned(),
                1 => "associated with 1 subnet".to_owned(),
                n => format!("associated with {n} subnets"),
            };
            let name = acl.tags.iter().find(|tag| tag.key == "Name").map(|tag| format!(" \"{}\"", tag.value));
            let subject = format!("{kind} {}{} ({vpc}, {subnets})", acl.id, name.unwrap_or_default());
            let verdict = reword(rule(ctx, acl), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"));
            out.record(region, acl, verdict);
        }
    }
}

fn registries(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &Registry<'_>) -> Verdict) {
    let account = ctx.account;
    for (region, inventory) in &account.regions {
        let registry = Registry { region, account_id: &account.account_id, ecr: &inventory.ecr };
        out.record_scope(region, &account.account_id, rule(ctx, &registry));
    }
}

fn repositories(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &Repository) -> Verdict) {
    for (region, repositories) in out.per_region(|region| &region.ecr.repositories) {
        for repository in repositories {
            out.record(region, repository, rule(ctx, repository));
        }
    }
}

fn images(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &Registry<'_>, &Repository, &Image, &[Image]) -> Verdict,
) {
    let account = ctx.account;
    for (region, repositories) in out.per_region(|region| &region.ecr.repositories) {
        let registry = Registry { region, account_id: &account.account_id, ecr: &account.regions[region].ecr };
        for repository in repositories {
            let images = match repository.images.get() {
                Ok(images) => images,
                Err(why) => {
                    let message = format!("Could not list the images of repository {}: {why}", repository.name);
                    out.record(region, repository, Err(Unknown(message)));
                    continue;
                }
            };
            for image in images.iter().filter(|image| is_signable(image)) {
                out.record(region, image, rule(ctx, &registry, repository, image, images));
            }
        }
    }
}

/// A repository without images gets no finding; one whose images could not
/// be read gets its ERROR under the repository's identity.
fn latest_image_scans(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &Repository, &ImageScan) -> Verdict,
) {
    for (region, repositories) in out.per_region(|region| &region.ecr.repositories) {
        for repository in repositories {
            match repository.latest_image_scan.get() {
                Ok(Some(scan)) => out.record(region, scan, rule(ctx, repository, scan)),
                Ok(None) => {}
                Err(why) => {
                    let message =
                        format!("Could not read the latest image scan of repository {}: {why}", repository.name);
                    out.record(region, repository, Err(Unknown(message)));
                }
            }
        }
    }
}

/// One finding per region, about the account in that region.
fn trail_coverage(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &str, &[&Trail]) -> Verdict) {
    let account = ctx.account;
    for (region, arns) in out.per_region(|region| &region.cloudtrail.trail_arns) {
        let trails: Vec<&Trail> = arns.iter().filter_map(|arn| account.trails.get(arn)).collect();
        out.record_scope(region, region, rule(ctx, region, &trails));
    }
}

/// A region whose trail listing failed gets one ERROR; each trail listed
/// anywhere is judged once, in its home region.
fn trails(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &Trail) -> Verdict) {
    // Only for the ERRORs: the trails themselves are held once per account.
    out.per_region(|region| &region.cloudtrail.trail_arns);
    for trail in ctx.account.trails.values() {
        out.record(&trail.home_region, trail, rule(ctx, trail));
    }
}

fn clusters(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &Cluster) -> Verdict) {
    for (region, clusters) in out.per_region(|region| &region.ecs.clusters) {
        undescribed_clusters(ctx, out, region);
        for cluster in clusters {
            out.record(region, cluster, rule(ctx, cluster));
        }
    }
}

/// Clusters AWS listed but could not describe: ERROR, with AWS's reason.
fn undescribed_clusters(ctx: &Context<'_>, out: &mut Findings<'_>, region: &str) {
    for cluster in &ctx.account.regions[region].ecs.undescribed_clusters {
        let message = format!("Could not describe cluster {}: {}", cluster.id, cluster.error.message);
        out.record(region, cluster, Err(Unknown(message)));
    }
}

/// `Service NAME of cluster CLUSTER <verdict>`; a cluster whose services
/// could not be listed gets the ERROR under its own identity.
fn services(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &EcsService) -> Verdict) {
    for (region, clusters) in out.per_region(|region| &region.ecs.clusters) {
        undescribed_clusters(ctx, out, region);
        for cluster in clusters {
            for service in &cluster.undescribed_services {
                let message = format!("Could not describe service {}: {}", service.id, service.error.message);
                out.record(region, service, Err(Unknown(message)));
            }
            let services = match cluster.services.get() {
                Ok(services) => services,
                Err(why) => {
                    let message = format!("Could not list the services of cluster {}: {why}", cluster.name);
                    out.record(region, cluster, Err(Unknown(message)));
                    continue;
                }
            };
            for service in services {
                let subject = format!("Service {} of cluster {}", service.name, cluster.name);
                let verdict =
                    reword(rule(ctx, service), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"));
                out.record(region, service, verdict);
            }
        }
    }
}

/// `Task definition family:N (why it is judged): <verdict>`. When the set of
/// revisions in use is unknown, the region also gets one ERROR saying so.
fn task_definitions(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &TaskDefinition) -> Verdict) {
    let account = ctx.account;
    for (region, entries) in out.per_region(|region| &region.ecs.task_definitions) {
        let unknown = account.regions[region].ecs.in_use_unknown();
        if !unknown.is_empty() {
            let message = format!(
                "Could not tell which task definition revisions are in use in {region}, so revisions only they run were not evaluated: {}",
                unknown.join("; ")
            );
            out.record_scope(region, region, Err(Unknown(message)));
        }
        for entry in entries {
            let definition = match entry.definition.get() {
                Ok(definition) => definition,
                Err(why) => {
                    let message = format!("Could not read task definition {}: {why}", entry.requested);
                    out.record(region, entry, Err(Unknown(message)));
                    continue;
                }
            };
            let subject = format!("Task definition {} ({})", definition.id, entry.reasons.join("; "));
            let verdict =
                reword(rule(ctx, definition), |why| format!("{subject}: {why}"), |why| format!("{subject}: {why}"));
            out.record(region, definition, verdict);
        }
    }
}

/// `Task CLUSTER/ID (service S of cluster C, task definition F:N): <verdict>`;
/// a cluster whose tasks could not be listed gets the ERROR under its own identity.
fn running_tasks(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &str, &RunningTask) -> Verdict) {
    for (region, clusters) in out.per_region(|region| &region.ecs.clusters) {
        undescribed_clusters(ctx, out, region);
        for cluster in clusters {
            let tasks = match cluster.running_tasks.get() {
                Ok(tasks) => tasks,
                Err(why) => {
                    let message = format!("Could not list the running tasks of cluster {}: {why}", cluster.name);
                    out.record(region, cluster, Err(Unknown(message)));
                    continue;
                }
            };
            for task in tasks {
                let subject =
                    format!("Task {} ({}, task definition {})", task.id, task.describe_owner(), task.revision());
                let verdict = reword(
                    rule(ctx, region, task),
                    |why| format!("{subject}: {why}"),
                    |why| format!("{subject}: {why}"),
                );
                out.record(region, task, verdict);
            }
        }
    }
}

/// `Image REPOSITORY@DIGEST (used by task definition F:N (container C, REGION)) <verdict>`,
/// in the region of its registry. A region whose task definitions could not
/// be listed gets one ERROR (the images they name are unknown); an image
/// that could not be read gets its ERROR under its own identity.
fn registry_images(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &RegistryImage, &ImageConfig) -> Verdict,
) {
    each_image_in_use(ctx, out, |image, named| {
        let subject = format!("Image {named}");
        match image.config.get() {
            Ok(config) => {
                reword(rule(ctx, image, config), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"))
            }
            Err(why) => Err(Unknown(format!("Could not read image {named}: {why}"))),
        }
    });
}

/// `Image REPOSITORY@DIGEST (used by ...) <verdict>`, as [`registry_images`]
/// walks them but with no config needed.
fn images_in_use(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &RegistryImage) -> Verdict) {
    each_image_in_use(ctx, out, |image, named| {
        let subject = format!("Image {named}");
        reword(rule(ctx, image), |why| format!("{subject} {why}"), |why| format!("{subject}: {why}"))
    });
}

/// The one walk of the images in use, in the region of their registry;
/// `judge` gets each with its name for messages (`REPO@DIGEST (used by ...)`).
fn each_image_in_use(ctx: &Context<'_>, out: &mut Findings<'_>, judge: impl Fn(&RegistryImage, &str) -> Verdict) {
    let account = ctx.account;
    out.per_region(|region| &region.ecs.task_definitions);
    let images = match account.registry_images.get() {
        Ok(images) => images,
        Err(why) => {
            for region in account.regions.keys() {
                let message = format!("Could not read the images the task definitions name: {why}");
                out.record_scope(region, region, Err(Unknown(message)));
            }
            return;
        }
    };
    for image in images {
        let named = format!("{} (used by {})", image.id, image.describe_uses());
        out.record(&image.region, image, judge(image, &named));
    }
}

fn root_user(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &IamAccount) -> Verdict) {
    let iam = &ctx.account.iam;
    out.record(&iam.region, &ctx.account.root(), rule(ctx, iam));
}

/// `The password policy <verdict>.`; no policy at all is FAIL.
fn password_policy(ctx: &Context<'_>, out: &mut Findings<'_>, rule: fn(&Context<'_>, &PasswordPolicy) -> Verdict) {
    let iam = &ctx.account.iam;
    let verdict = match iam.password_policy.get() {
        Err(why) => Err(Unknown(format!("Could not read the account password policy: {why}"))),
        Ok(None) => Ok(Judgement::Fail(
            "The account has no IAM password policy at all (GetAccountPasswordPolicy: NoSuchEntity), so IAM's weak defaults apply."
                .to_owned(),
        )),
        Ok(Some(policy)) => {
            reword(rule(ctx, policy), |why| format!("The password policy {why}."), |why| why)
        }
    };
    out.record(&iam.region, &ctx.account.password_policy(), verdict);
}

/// `User NAME <verdict>`; a credential report that could not be read is one
/// ERROR for every user.
fn users(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    rule: fn(&Context<'_>, &CredentialReportRow, Timestamp) -> Verdict,
) {
    let iam = &ctx.account.iam;
    let report = match iam.credential_report.get() {
        Ok(report) => report,
        Err(why) => {
            out.record_scope(&iam.region, "user/*", Err(Unknown(format!("Could not evaluate the IAM users: {why}"))));
            return;
        }
    };
    for row in report.users() {
        let subject = format!("User {}", row.user);
        let verdict = reword(
            rule(ctx, row, report.fetched_at),
            |why| format!("{subject} {why}"),
            |why| format!("{subject}: {why}"),
        );
        out.record(&iam.region, row, verdict);
    }
}

/// `KIND policy NAME (attached N time(s), version V) <verdict>`; the rule
/// gets the default version's document.
fn managed_policies(
    ctx: &Context<'_>,
    out: &mut Findings<'_>,
    kind: PolicyKind,
    rule: fn(&Context<'_>, &ManagedPolicy, &str) -> Verdict,
) {
    let iam = &ctx.account.iam;
    let kind_label = kind.label();
    let policies = match kind.policies(iam).get() {
        Ok(policies) => policies,
        Err(why) => {
            let message = format!("Could not list the attached {kind_label} policies: {why}");
            out.record_scope(&iam.region, "policy/*", Err(Unknown(message)));
            return;
        }
    };
    for policy in policies {
        let subject = format!(
            "{kind_label} policy {} (attached {} time(s), version {})",
            policy.name, policy.attachment_count, policy.default_version_id
        );
        let verdict = match policy.document.get() {
            Ok(document) => reword(
                rule(ctx, policy, document),
                |why| format!("{subject} {why}"),
                |why| format!("Could not evaluate {subject}: {why}"),
            ),
            Err(why) => Err(Unknown(format!("Could not read {subject}: {why}"))),
        };
        out.record(&iam.region, policy, verdict);
    }
}
