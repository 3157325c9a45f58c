//! Fans collection out across regions and services at once; the call gate
//! bounds how many calls are in flight.

use std::collections::BTreeMap;

use crate::aws::chain::{self, join_all};

use super::cloudtrail::{self, CloudTrailRegion};
use super::ec2::{self, Ec2Region};
use super::ecr::{self, EcrRegion};
use super::ecr_signing;
use super::ecs::{self, EcsRegion};
use super::eks_detection as detection;
use super::elbv2::{self, Elbv2Region};
use super::features::{self, FeaturesOff};
use super::iam::{self, IamAccount};
use super::image_layers::{self, LayerScan};
use super::{AccountInventory, Collected, Needs, RegionInventory, ResourceKind, requested};
use super::{image_configs, image_vulnerabilities};
use super::{vpc, wafv2};
use crate::aws::{CallGate, Session};

#[derive(Debug)]
pub struct CollectContext<'a> {
    pub session: &'a Session,
    pub gate: &'a CallGate,
    pub needs: &'a Needs,
    /// The scan's layer budgets and the layers it has read, shared by its accounts.
    pub layers: &'a LayerScan,
    /// Told the name of each region whose regional services are collected (progress display).
    pub on_region_done: Option<RegionDone<'a>>,
}

/// A callback told each region whose regional services are collected.
#[derive(Clone, Copy)]
pub struct RegionDone<'a>(pub &'a (dyn Fn(&str) + Sync));

impl std::fmt::Debug for RegionDone<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegionDone")
    }
}

impl CollectContext<'_> {
    fn needs(&self, kind: ResourceKind) -> bool {
        self.needs.wants(kind)
    }
}

#[derive(Debug, Clone)]
pub struct AccountTarget {
    pub account_id: String,
    pub partition: String,
    pub regions: Vec<String>,
}

impl AccountTarget {
    /// The ARN of a resource of this account, set once at collection.
    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!("arn:{}:{service}:{region}:{}:{resource}", self.partition, self.account_id)
    }
}

pub async fn collect_account(ctx: &CollectContext<'_>, target: &AccountTarget) -> AccountInventory {
    let regional = join_all(target.regions.iter().map(|region| async move {
        let (ec2, ecr, ecs, elbv2, detection) = futures::join!(
            chain::branch(collect_ec2(ctx, target, region)),
            chain::branch(collect_ecr(ctx, region)),
            chain::branch(collect_ecs(ctx, target, region)),
            chain::branch(collect_elbv2(ctx, region)),
            chain::branch(detection::collect(ctx, target, region)),
        );
        if let Some(RegionDone(done)) = ctx.on_region_done {
            done(region);
        }
        (region.clone(), ec2, ecr, ecs, elbv2, detection)
    }));
    let (regional, (mut trail_listings, trails), iam) = futures::join!(
        regional,
        chain::branch(collect_cloudtrail(ctx, &target.regions)),
        chain::branch(collect_iam(ctx)),
    );

    let regions: BTreeMap<String, RegionInventory> = regional
        .into_iter()
        .map(|(region, ec2, ecr, ecs, elbv2, detection)| {
            let cloudtrail = trail_listings.remove(&region).unwrap_or_default();
            let (eks, guardduty, inspector2) = detection;
            (region, RegionInventory { ec2, ecr, cloudtrail, ecs, elbv2, eks, guardduty, inspector2 })
        })
        .collect();
    // After every region's task definitions: they say which images to read.
    let registry_images = if ctx.needs(ResourceKind::EcrImageConfigs) {
        let mut images = image_configs::collect(ctx.session, ctx.gate, target, &regions).await;
        if ctx.needs(ResourceKind::ImageVulnerabilities) {
            image_vulnerabilities::collect(ctx.session, ctx.gate, &regions, &mut images).await;
        }
        if ctx.needs(ResourceKind::EcrImageLayers) {
            image_layers::collect(ctx.session, ctx.gate, ctx.layers, &mut images).await;
        }
        Collected::Ok(images)
    } else {
        Collected::NotRequested
    };
    AccountInventory {
        account_id: target.account_id.clone(),
        partition: target.partition.clone(),
        regions,
        trails,
        iam,
        registry_images,
    }
}

async fn collect_ec2(ctx: &CollectContext<'_>, target: &AccountTarget, region: &str) -> Ec2Region {
    let client = ctx.session.client::<aws_sdk_ec2::Client>(region);
    let gate = ctx.gate;
    let (security_groups, network_interfaces, network_acls, route_tables, vpcs, flow_logs) = futures::join!(
        requested(ctx.needs(ResourceKind::Ec2SecurityGroups), ec2::security_groups(&client, gate, target, region)),
        requested(ctx.needs(ResourceKind::Ec2NetworkInterfaces), ec2::network_interfaces(&client, gate, region)),
        requested(ctx.needs(ResourceKind::Ec2NetworkAcls), ec2::network_acls(&client, gate, target, region)),
        requested(ctx.needs(ResourceKind::Ec2RouteTables), ec2::route_tables(&client, gate, region)),
        requested(ctx.needs(ResourceKind::Ec2Vpcs), vpc::vpcs(&client, gate, target, region)),
        requested(ctx.needs(ResourceKind::Ec2FlowLogs), vpc::flow_logs(&client, gate, region)),
    );
    Ec2Region { security_groups, network_interfaces, network_acls, route_tables, vpcs, flow_logs }
}

async fn collect_ecr(ctx: &CollectContext<'_>, region: &str) -> EcrRegion {
    let client = ctx.session.client::<aws_sdk_ecr::Client>(region);
    let mut ecr = collect_ecr_listings(ctx, &client, region, None).await;
    collect_ecr_signing_statuses(ctx, &client, region, &mut ecr).await;
    ecr
}

/// The region's registry settings and repositories with their listings;
/// `only`: that repository alone (`bulkhead image`).
pub async fn collect_ecr_listings(
    ctx: &CollectContext<'_>,
    client: &aws_sdk_ecr::Client,
    region: &str,
    only: Option<&str>,
) -> EcrRegion {
    let (repositories, registry_scanning, registry_policy, signing_configuration) = futures::join!(
        requested(
            ctx.needs(ResourceKind::EcrRepositories),
            ecr::repositories(client, ctx.gate, region, ctx.needs, only)
        ),
        requested(ctx.needs(ResourceKind::EcrRegistryScanning), ecr::registry_scanning(client, ctx.gate, region)),
        requested(ctx.needs(ResourceKind::EcrRegistryPolicy), ecr::registry_policy(client, ctx.gate, region)),
        requested(
            ctx.needs(ResourceKind::EcrSigningConfiguration),
            ecr_signing::signing_configuration(client, ctx.gate, region)
        ),
    );
    let mut ecr = EcrRegion {
        repositories,
        registry_scanning,
        registry_policy,
        signing_configuration,
        features_off: FeaturesOff::default(),
    };
    features::settle_ecr(&mut ecr);
    ecr
}

/// ECR managed signing's status of the images the listings leave unsigned.
pub async fn collect_ecr_signing_statuses(
    ctx: &CollectContext<'_>,
    client: &aws_sdk_ecr::Client,
    region: &str,
    ecr: &mut EcrRegion,
) {
    if let (Collected::Ok(repositories), Collected::Ok(Some(config)), true) =
        (&mut ecr.repositories, &ecr.signing_configuration, ctx.needs(ResourceKind::EcrImages))
    {
        ecr_signing::signing_statuses(client, ctx.gate, region, repositories, config).await;
    }
}

async fn collect_ecs(ctx: &CollectContext<'_>, target: &AccountTarget, region: &str) -> EcsRegion {
    if !ctx.needs(ResourceKind::EcsClusters) {
        return EcsRegion::default();
    }
    let client = ctx.session.client::<aws_sdk_ecs::Client>(region);
    ecs::collect(&client, ctx.gate, target, region, ctx.needs).await
}

async fn collect_elbv2(ctx: &CollectContext<'_>, region: &str) -> Elbv2Region {
    if !ctx.needs(ResourceKind::LoadBalancers) {
        return Elbv2Region::default();
    }
    let client = ctx.session.client::<aws_sdk_elasticloadbalancingv2::Client>(region);
    let reads = elbv2::Reads {
        every_listener: ctx.needs(ResourceKind::LoadBalancerListeners),
        attributes: ctx.needs(ResourceKind::LoadBalancerAttributes),
    };
    let (load_balancers, target_groups) = futures::join!(
        requested(true, elbv2::load_balancers(&client, ctx.gate, region, reads)),
        requested(true, elbv2::target_groups(&client, ctx.gate, region)),
    );
    // After the listing: a region without an internet-facing application
    // load balancer has nothing for a web ACL to protect from the internet.
    let exposed_alb = load_balancers.get().is_ok_and(|balancers| {
        balancers.iter().any(|balancer| balancer.is_internet_facing() && balancer.kind == "application")
    });
    let web_acls = if ctx.needs(ResourceKind::WebAcls) && exposed_alb {
        let client = ctx.session.client::<aws_sdk_wafv2::Client>(region);
        wafv2::web_acls(&client, ctx.gate, region).await.into()
    } else {
        Collected::NotRequested
    };
    let mut elbv2 = Elbv2Region { load_balancers, target_groups, web_acls, features_off: FeaturesOff::default() };
    features::settle_elbv2(&mut elbv2);
    elbv2
}

/// IAM is global: one collection per account, through the session's home
/// region. Only what the checks need, plus the account alias, which every
/// scan reads to name the account in the reports.
async fn collect_iam(ctx: &CollectContext<'_>) -> IamAccount {
    let region = ctx.session.home_region().to_owned();
    let client = ctx.session.client::<aws_sdk_iam::Client>(&region);
    iam::collect(&client, ctx.gate, &region, ctx.needs).await
}

/// Lists the trails applying to each region, then fetches each distinct
/// trail's details once, in its home region.
async fn collect_cloudtrail(
    ctx: &CollectContext<'_>,
    regions: &[String],
) -> (BTreeMap<String, CloudTrailRegion>, BTreeMap<String, cloudtrail::Trail>) {
    if !ctx.needs(ResourceKind::CloudTrailTrails) {
        return (BTreeMap::new(), BTreeMap::new());
    }
    let listings = join_all(regions.iter().map(|region| async move {
        let client = ctx.session.client::<aws_sdk_cloudtrail::Client>(region);
        (region.clone(), cloudtrail::trails_applying_to(&client, ctx.gate, region).await)
    }))
    .await;

    let mut per_region = BTreeMap::new();
    let mut listed = Vec::new();
    for (region, listing) in listings {
        let arns = listing.map(|trails| {
            let arns = trails.iter().map(|trail| trail.arn.clone()).collect();
            listed.extend(trails);
            arns
        });
        per_region.insert(region, CloudTrailRegion { trail_arns: arns.into() });
    }

    let details = join_all(cloudtrail::unique_trails(listed).into_values().map(|trail| async move {
        let client = ctx.session.client::<aws_sdk_cloudtrail::Client>(&trail.home_region);
        cloudtrail::trail_details(&client, ctx.gate, trail).await
    }))
    .await;
    let trails = details.into_iter().map(|trail| (trail.arn.clone(), trail)).collect();
    (per_region, trails)
}
