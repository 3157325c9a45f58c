//! Features a region does not offer. When AWS answers a call with
//! [`ErrorKind::NotOffered`] (an unknown operation, a service the account is
//! not subscribed or opted in to), and the call reads a feature that a
//! region may lack, the feature is off in that region: the collector keeps
//! what its absence means in the call's place and a [`FeatureOff`] note,
//! which the report shows once per region. This file is the one table of
//! such calls; any other failure of them stays a failure, and so does an
//! unknown operation anywhere else.
//!
//! Left out on purpose, so they stay ERROR when not offered:
//! - `DescribeImageSigningStatus`: only asked where the region's signing
//!   configuration has a rule covering the repository, so managed signing
//!   is offered there and may have signed the image; nothing else can tell.
//! - `ListImageReferrers`: only asked where the listing shows a referrer of
//!   the image without its type, which may be a signature.
//! - Every listing a check judges (security groups, repositories, task
//!   definitions, trails, IAM): without it nothing can be judged.

use serde::{Deserialize, Serialize};

use super::Collected;
use super::ecr::{EcrRegion, RegistryScanning, RepositoryScanning};
use super::eks::EksRegion;
use super::elbv2::Elbv2Region;
use super::guardduty::GuardDutyRegion;
use super::inspector2::InspectorRegion;
use crate::aws::{CollectError, ErrorKind};

/// A feature a region may not offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// `GetSigningConfiguration`: none in the region.
    EcrManagedSigning,
    /// `GetRegistryScanningConfiguration`: basic scanning, no registry rule.
    EcrRegistryScanning,
    /// `BatchGetRepositoryScanningConfiguration`: each repository's own setting.
    EcrRepositoryScanning,
    /// `DescribeLoadBalancers`, `DescribeTargetGroups`: no load balancer.
    LoadBalancing,
    /// `ListWebACLs`: no web ACL.
    WebAcls,
    /// EKS's `ListClusters`: no cluster.
    Eks,
    /// GuardDuty's `ListDetectors`: no detector, and none possible.
    GuardDuty,
    /// Inspector's `BatchGetAccountStatus`: no Inspector scanning.
    Inspector,
}

impl Feature {
    /// Its name, for the report.
    pub fn name(self) -> &'static str {
        match self {
            Feature::EcrManagedSigning => "ECR managed signing",
            Feature::EcrRegistryScanning => "ECR registry scanning configuration",
            Feature::EcrRepositoryScanning => "ECR effective repository scanning configuration",
            Feature::LoadBalancing => "Elastic Load Balancing v2",
            Feature::WebAcls => "AWS WAF (WAFv2) web ACLs",
            Feature::Eks => "Amazon EKS",
            Feature::GuardDuty => "Amazon GuardDuty",
            Feature::Inspector => "Amazon Inspector",
        }
    }

    /// How the checks judge the region without it.
    pub fn without(self) -> &'static str {
        match self {
            Feature::EcrManagedSigning => {
                "no image is signed by it there, so signatures are judged from cosign tags and signature referrers alone"
            }
            Feature::EcrRegistryScanning => "the registry has basic scanning and no registry scanning rule there",
            Feature::EcrRepositoryScanning => {
                "each repository is scanned on push only by its own scan-on-push setting there"
            }
            Feature::LoadBalancing => "no load balancer or target group exists there",
            Feature::WebAcls => "no web ACL protects a load balancer there",
            Feature::Eks => "no EKS cluster exists there",
            Feature::GuardDuty => "GuardDuty cannot be turned on there, so its checks judge nothing there",
            Feature::Inspector => "Inspector cannot scan there, so its check judges nothing there",
        }
    }
}

/// A feature found off in a region, with the call and AWS's answer that tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureOff {
    pub feature: Feature,
    pub error: CollectError,
}

/// The features one service does not offer in one region, each once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FeaturesOff(Vec<FeatureOff>);

impl FeaturesOff {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FeatureOff> {
        self.0.iter()
    }

    /// Leaves `collected` as it is, unless its call was not offered: then
    /// it becomes `absent()`, what the feature's absence means, and the
    /// feature is noted off (once, however many calls told).
    pub fn settle<T>(&mut self, collected: &mut Collected<T>, feature: Feature, absent: impl FnOnce() -> T) {
        let Collected::Failed(error) = collected else { return };
        if error.kind != ErrorKind::NotOffered {
            return;
        }
        if !self.0.iter().any(|off| off.feature == feature) {
            self.0.push(FeatureOff { feature, error: error.clone() });
        }
        *collected = Collected::Ok(absent());
    }
}

/// ECR's optional calls, settled where the region does not offer them.
pub(super) fn settle_ecr(region: &mut EcrRegion) {
    let off = &mut region.features_off;
    off.settle(&mut region.signing_configuration, Feature::EcrManagedSigning, || None);
    off.settle(&mut region.registry_scanning, Feature::EcrRegistryScanning, || RegistryScanning {
        scan_type: "BASIC".to_owned(),
        rules: Vec::new(),
    });
    if let Collected::Ok(repositories) = &mut region.repositories {
        for repository in repositories {
            let own = repository.scan_on_push;
            off.settle(&mut repository.scanning, Feature::EcrRepositoryScanning, || RepositoryScanning {
                scan_on_push: own,
                scan_frequency: None,
                applied_filters: Vec::new(),
            });
        }
    }
}

/// ELBv2 in a region or partition that does not have it: no load balancers;
/// WAFv2 where it is not offered: no web ACL.
pub(super) fn settle_elbv2(region: &mut Elbv2Region) {
    let off = &mut region.features_off;
    off.settle(&mut region.load_balancers, Feature::LoadBalancing, Vec::new);
    off.settle(&mut region.target_groups, Feature::LoadBalancing, Vec::new);
    off.settle(&mut region.web_acls, Feature::WebAcls, Vec::new);
}

/// EKS in a region or partition that does not have it: no cluster.
pub(super) fn settle_eks(region: &mut EksRegion) {
    region.features_off.settle(&mut region.clusters, Feature::Eks, Vec::new);
}

/// GuardDuty not offered: no detector, noted so its checks judge nothing there.
pub(super) fn settle_guardduty(region: &mut GuardDutyRegion) {
    region.features_off.settle(&mut region.detectors, Feature::GuardDuty, Vec::new);
}

/// Inspector not offered: nothing scanned by it, noted so its check judges nothing there.
pub(super) fn settle_inspector(region: &mut InspectorRegion) {
    region.features_off.settle(&mut region.account, Feature::Inspector, Default::default);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Service;
    use crate::inventory::fixtures;

    fn unknown(operation: &str) -> CollectError {
        let message = format!("UnknownOperationException: Unknown operation {operation}");
        CollectError::new(Service::Ecr, operation, fixtures::REGION, ErrorKind::NotOffered, message)
    }

    #[test]
    fn an_optional_call_not_offered_is_the_feature_off_once_and_any_other_failure_stays() {
        let mut region = EcrRegion {
            signing_configuration: Collected::Failed(unknown("GetSigningConfiguration")),
            registry_scanning: Collected::Failed(fixtures::denied(Service::Ecr, "GetRegistryScanningConfiguration")),
            ..EcrRegion::default()
        };
        let mut on = fixtures::repository("on");
        on.scan_on_push = true;
        let off = fixtures::repository("off");
        let mut repositories = vec![on, off];
        for repository in &mut repositories {
            repository.scanning = Collected::Failed(unknown("BatchGetRepositoryScanningConfiguration"));
        }
        region.repositories = Collected::Ok(repositories);
        settle_ecr(&mut region);

        assert_eq!(region.signing_configuration, Collected::Ok(None));
        assert!(region.registry_scanning.error().is_some(), "a denial is no feature that is off");
        let repositories = region.repositories.get().unwrap();
        let own: Vec<bool> = repositories.iter().map(|r| r.scanning.get().unwrap().scan_on_push).collect();
        assert_eq!(own, [true, false], "each repository's own setting");
        let noted: Vec<(Feature, &str)> =
            region.features_off.iter().map(|off| (off.feature, off.error.operation.as_str())).collect();
        assert_eq!(
            noted,
            [
                (Feature::EcrManagedSigning, "GetSigningConfiguration"),
                (Feature::EcrRepositoryScanning, "BatchGetRepositoryScanningConfiguration"),
            ],
            "once per feature"
        );
    }

    #[test]
    fn load_balancing_not_offered_is_no_load_balancer() {
        let mut region = Elbv2Region {
            load_balancers: Collected::Failed(unknown("DescribeLoadBalancers")),
            target_groups: Collected::Failed(unknown("DescribeTargetGroups")),
            ..Elbv2Region::default()
        };
        settle_elbv2(&mut region);
        assert_eq!(region.load_balancers, Collected::Ok(Vec::new()));
        assert_eq!(region.target_groups, Collected::Ok(Vec::new()));
        assert_eq!(region.features_off.iter().count(), 1);
    }

    #[test]
    fn wafv2_not_offered_is_no_web_acl_and_a_denial_stays() {
        let mut region = Elbv2Region { web_acls: Collected::Failed(unknown("ListWebACLs")), ..Elbv2Region::default() };
        settle_elbv2(&mut region);
        assert_eq!(region.web_acls, Collected::Ok(Vec::new()));
        let noted: Vec<Feature> = region.features_off.iter().map(|off| off.feature).collect();
        assert_eq!(noted, [Feature::WebAcls]);

        let mut denied = Elbv2Region {
            web_acls: Collected::Failed(fixtures::denied(Service::Wafv2, "ListWebACLs")),
            ..Elbv2Region::default()
        };
        settle_elbv2(&mut denied);
        assert!(denied.web_acls.error().is_some(), "a denial is no feature that is off");
    }

    #[test]
    fn detection_services_not_offered_judge_nothing_there() {
        let unknown = |service, operation: &str| {
            let message = format!("UnknownOperationException: Unknown operation {operation}");
            CollectError::new(service, operation, fixtures::REGION, ErrorKind::NotOffered, message)
        };
        let mut guardduty = GuardDutyRegion {
            detectors: Collected::Failed(unknown(Service::GuardDuty, "ListDetectors")),
            ..GuardDutyRegion::default()
        };
        settle_guardduty(&mut guardduty);
        assert_eq!(guardduty.detectors, Collected::Ok(Vec::new()));
        assert_eq!(guardduty.features_off.iter().map(|off| off.feature).collect::<Vec<_>>(), [Feature::GuardDuty]);

        let mut inspector = InspectorRegion {
            account: Collected::Failed(fixtures::denied(Service::Inspector2, "BatchGetAccountStatus")),
            ..InspectorRegion::default()
        };
        settle_inspector(&mut inspector);
        assert!(inspector.account.error().is_some(), "a denial is no feature that is off");

        let mut eks =
            EksRegion { clusters: Collected::Failed(unknown(Service::Eks, "ListClusters")), ..EksRegion::default() };
        settle_eks(&mut eks);
        assert_eq!(eks.clusters, Collected::Ok(Vec::new()));
    }
}
