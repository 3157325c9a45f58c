//! The one walk over every [`Collected`] field of an inventory, nested ones
//! included (a repository's policy, an image's referrers): the report's
//! error list comes from it, and a test fails each field in turn through it.
//!
//! A new `Collected` field is one line in its struct's `Visit` impl; the
//! test `every_collected_field_failed_is_error_never_pass` (tests/checks)
//! fails when a field is missing here.

use super::cloudtrail::{CloudTrailRegion, Trail};
use super::ec2::Ec2Region;
use super::ecr::{EcrRegion, Image, Repository};
use super::ecs::{Cluster, EcsRegion, TaskDefinitionEntry};
use super::eks::{AccessEntry, EksCluster, EksRegion, LaunchTemplate, Nodegroup};
use super::elbv2::{Elbv2Region, LoadBalancer, WebAcl};
use super::guardduty::{Detector, GuardDutyRegion};
use super::iam::{IamAccount, ManagedPolicy};
use super::image_configs::RegistryImage;
use super::inspector2::InspectorRegion;
use super::{AccountInventory, Collected, RegionInventory, Undescribed};
use crate::aws::CollectError;

/// Something that holds `Collected` fields: `visit` calls `f` with each
/// one's error (`None` when it was fetched or not asked for), then with
/// those of what it holds.
pub trait Visit {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a CollectError>));
}

impl Visit for Undescribed {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a CollectError>)) {
        f(Some(&self.error));
    }
}

impl<T: Visit> Visit for Collected<T> {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a CollectError>)) {
        f(self.error());
        if let Collected::Ok(value) = self {
            value.visit(f);
        }
    }
}

impl<T: Visit> Visit for Vec<T> {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a CollectError>)) {
        for item in self {
            item.visit(f);
        }
    }
}

impl<T: Visit> Visit for Option<T> {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a CollectError>)) {
        if let Some(value) = self {
            value.visit(f);
        }
    }
}

/// Data with no `Collected` inside.
macro_rules! leaves {
    ($($type:ty),* $(,)?) => {
        $(impl Visit for $type {
            fn visit<'a>(&'a self, _: &mut dyn FnMut(Option<&'a CollectError>)) {}
        })*
    };
}

leaves!(
    String,
    super::ec2::SecurityGroup,
    super::ec2::NetworkInterface,
    super::ec2::NetworkAcl,
    super::ec2::RouteTable,
    super::vpc::Vpc,
    super::vpc::FlowLog,
    super::ecr::RegistryScanning,
    super::ecr::RepositoryScanning,
    super::ecr::ImageScan,
    super::ecr::Referrer,
    super::ecr::SigningConfiguration,
    super::ecr::ManagedSigningStatus,
    super::cloudtrail::TrailStatus,
    super::cloudtrail::EventSelectors,
    super::ecs::EcsService,
    super::ecs::RunningTask,
    super::ecs::TaskDefinition,
    super::image_configs::ImageConfig,
    super::image_vulnerabilities::ImageVulnerabilities,
    super::image_layers::ImageLayers,
    super::elbv2::Listener,
    super::eks::MetadataOptions,
    super::eks::AccessPolicy,
    super::guardduty::DetectorDetails,
    super::inspector2::InspectorAccount,
    super::elbv2::TargetGroup,
    super::elbv2::Attributes,
    super::iam::AccountSummary,
    super::iam::PasswordPolicy,
    super::iam::CredentialReport,
    super::iam::VirtualMfaDevice,
);

/// `impl Visit` for a struct: the fields that are or hold `Collected`s.
macro_rules! fields {
    ($type:ty: $($field:ident),+) => {
        impl Visit for $type {
            fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a CollectError>)) {
                $(self.$field.visit(f);)+
            }
        }
    };
}

impl Visit for AccountInventory {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(Option<&'a CollectError>)) {
        for region in self.regions.values() {
            region.visit(f);
        }
        for trail in self.trails.values() {
            trail.visit(f);
        }
        self.iam.visit(f);
        self.registry_images.visit(f);
    }
}

fields!(RegionInventory: ec2, ecr, cloudtrail, ecs, elbv2, eks, guardduty, inspector2);
fields!(EksRegion: clusters, undescribed_clusters);
fields!(EksCluster: nodegroups, undescribed_nodegroups, access_entries);
fields!(Nodegroup: launch_template);
fields!(LaunchTemplate: metadata);
fields!(AccessEntry: policies);
fields!(GuardDutyRegion: detectors);
fields!(Detector: details);
fields!(InspectorRegion: account);
fields!(Elbv2Region: load_balancers, target_groups, web_acls);
fields!(LoadBalancer: listeners, attributes);
fields!(WebAcl: protects);
fields!(Ec2Region: security_groups, network_interfaces, network_acls, route_tables, vpcs, flow_logs);
fields!(EcrRegion: repositories, registry_scanning, registry_policy, signing_configuration);
fields!(Repository: policy, images, lifecycle_policy, scanning, latest_image_scan);
fields!(Image: referrers, managed_signing);
fields!(CloudTrailRegion: trail_arns);
fields!(Trail: status, event_selectors);
fields!(EcsRegion: clusters, undescribed_clusters, task_definitions);
// `running_tasks` fails exactly when `running_task_definitions` does, from
// the same calls: the report's error list holds that failure once (deduplicated).
fields!(Cluster: services, undescribed_services, running_task_definitions, running_tasks);
fields!(TaskDefinitionEntry: definition);
fields!(RegistryImage: config, vulnerabilities, layers);
// Not `account_alias`: it only names the account in the reports, so its
// failure is no reason to call the scan incomplete (exit 4); the reports
// fall back to the account id and the collector logs the failure.
fields!(IamAccount: summary, password_policy, credential_report, virtual_mfa_devices, customer_policies, aws_policies);
fields!(ManagedPolicy: document);
