//! Elastic Load Balancing v2: the load balancers in front of container services.

use bulkhead::inventory::AccountInventory;
use bulkhead::inventory::ecs::{Cluster, ServiceLoadBalancer};
use bulkhead::inventory::elbv2::{LoadBalancer, TargetGroup};

use crate::support::*;

// BEGIN test modules: one per file in this folder, kept by tests/update-snapshots.
mod elbv2_alb_drop_invalid_header_fields_enabled;
mod elbv2_insecure_ssl_ciphers;
mod elbv2_logging_enabled;
mod elbv2_ssl_listeners;
mod elbv2_waf_acl_attached;
// END test modules.

/// The region's load balancers, with no target group, cluster or web ACL.
fn balancers(balancers: Vec<LoadBalancer>) -> AccountInventory {
    account_with(|region| {
        region.elbv2.load_balancers = Collected::Ok(balancers);
        region.elbv2.target_groups = Collected::Ok(Vec::new());
        region.elbv2.web_acls = Collected::Ok(Vec::new());
        region.ecs.clusters = Collected::Ok(Vec::new());
    })
}

/// `balancers`, with service `web` of cluster `prod` behind the first through target group `web`.
fn fronting(balancers: Vec<LoadBalancer>) -> AccountInventory {
    let first = balancers[0].arn.clone();
    let mut account = self::balancers(balancers);
    let region = account.regions.get_mut(REGION).unwrap();
    let arn = format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/1");
    region.elbv2.target_groups = Collected::Ok(vec![TargetGroup {
        arn: arn.clone(),
        name: "web".into(),
        port: Some(8080),
        protocol: Some("HTTP".into()),
        target_type: Some("ip".into()),
        load_balancer_arns: vec![first],
    }]);
    let prod = cluster("prod");
    let mut web = service(&prod, "web");
    web.load_balancers = vec![ServiceLoadBalancer {
        target_group_arn: Some(arn),
        load_balancer_name: None,
        container_name: Some("web".into()),
        container_port: Some(8080),
    }];
    region.ecs.clusters = Collected::Ok(vec![Cluster { services: Collected::Ok(vec![web]), ..prod }]);
    account
}
