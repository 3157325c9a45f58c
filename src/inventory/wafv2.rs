//! WAFv2: the region's web ACLs and the application load balancers each
//! protects. `ListWebACLs` once per region, then `ListResourcesForWebACL`
//! once per web ACL: 1 + (web ACLs) calls, whatever the number of load
//! balancers. The other way, `GetWebACLForResource`, costs one call per
//! application load balancer; a web ACL usually protects several of them,
//! and a region with none costs one call instead of one per load balancer.

use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types::{ResourceType, Scope};

use super::elbv2::WebAcl;
use super::paginate::CallSite;
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service};

/// `ListWebACLs` takes at most 100 a page.
const PAGE_SIZE: i32 = 100;

/// The region's web ACLs of regional scope, each with the application load balancers it protects.
pub async fn web_acls(client: &Client, gate: &CallGate, region: &str) -> Result<Vec<WebAcl>, CollectError> {
    let site = CallSite { gate, service: Service::Wafv2, region, operation: "ListWebACLs" };
    let listed = site
        .all_pages(
            |marker| client.list_web_acls().scope(Scope::Regional).limit(PAGE_SIZE).set_next_marker(marker).send(),
            |page| {
                let acls: Vec<(String, String)> = page
                    .web_acls()
                    .iter()
                    .map(|acl| (acl.arn().unwrap_or_default().to_owned(), acl.name().unwrap_or_default().to_owned()))
                    .collect();
                // WAFv2 may hand out a marker with its last page: an empty page ends the listing.
                let next = if acls.is_empty() { None } else { page.next_marker().map(str::to_owned) };
                (acls, next)
            },
        )
        .await?;
    let acls = listed.into_iter().map(|(arn, name)| async move {
        let protects = protected(client, gate, region, &arn).await.into();
        WebAcl { arn, name, protects }
    });
    Ok(join_all(acls).await)
}

async fn protected(client: &Client, gate: &CallGate, region: &str, acl: &str) -> Result<Vec<String>, CollectError> {
    let site = CallSite { gate, service: Service::Wafv2, region, operation: "ListResourcesForWebACL" };
    let output = site
        .once(|| {
            client
                .list_resources_for_web_acl()
                .web_acl_arn(acl)
                .resource_type(ResourceType::ApplicationLoadBalancer)
                .send()
        })
        .await?;
    Ok(output.resource_arns().to_vec())
}
