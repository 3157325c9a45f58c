//! A cluster's access entries, with the access policies associated with
//! each principal of another account (`ListAssociatedAccessPolicies` has no
//! batch form; in-account principals are never external, so theirs are not
//! asked for).

use aws_sdk_eks::Client;
use serde::{Deserialize, Serialize};

use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service};
use crate::inventory::paginate::CallSite;
use crate::inventory::{AccountTarget, Collected};

/// One access entry: an IAM principal given access to the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub principal_arn: String,
    /// The account of the principal, from its ARN.
    pub principal_account: Option<String>,
    /// Its associated access policies; `None` for a principal of the
    /// audited account (not asked for).
    pub policies: Option<Collected<Vec<AccessPolicy>>>,
}

/// An access policy associated with a principal, and where it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessPolicy {
    pub policy_arn: String,
    /// `cluster` or `namespace`.
    pub scope: Option<String>,
    pub namespaces: Vec<String>,
}

impl AccessPolicy {
    /// The policy's name (`AmazonEKSClusterAdminPolicy`).
    pub fn name(&self) -> &str {
        self.policy_arn.rsplit('/').next().unwrap_or(&self.policy_arn)
    }
}

/// The account id in an ARN (`arn:aws:iam::123456789012:role/x`).
pub fn account_of(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_owned())
}

pub(super) async fn collect(
    client: &Client,
    gate: &CallGate,
    target: &AccountTarget,
    region: &str,
    cluster: &str,
) -> Result<Vec<AccessEntry>, CollectError> {
    let site = CallSite { gate, service: Service::Eks, region, operation: "ListAccessEntries" };
    let principals = site
        .all_pages(
            |token| client.list_access_entries().cluster_name(cluster).set_next_token(token).max_results(100).send(),
            |page| (page.access_entries().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let associated_site = CallSite { operation: "ListAssociatedAccessPolicies", ..site };
    let entries = principals.into_iter().map(|principal_arn| async move {
        let principal_account = account_of(&principal_arn);
        let policies = if principal_account.as_deref() == Some(target.account_id.as_str()) {
            None
        } else {
            Some(associated(client, &associated_site, cluster, &principal_arn).await.into())
        };
        AccessEntry { principal_arn, principal_account, policies }
    });
    Ok(join_all(entries).await)
}

async fn associated(
    client: &Client,
    site: &CallSite<'_>,
    cluster: &str,
    principal: &str,
) -> Result<Vec<AccessPolicy>, CollectError> {
    site.all_pages(
        |token| {
            client
                .list_associated_access_policies()
                .cluster_name(cluster)
                .principal_arn(principal)
                .set_next_token(token)
                .max_results(100)
                .send()
        },
        |page| {
            let policies = page
                .associated_access_policies()
                .iter()
                .map(|policy| AccessPolicy {
                    policy_arn: policy.policy_arn().unwrap_or_default().to_owned(),
                    scope: policy.access_scope().and_then(|scope| scope.r#type()).map(|kind| kind.as_str().to_owned()),
                    namespaces: policy.access_scope().map(|scope| scope.namespaces().to_vec()).unwrap_or_default(),
                })
                .collect();
            (policies, page.next_token().map(str::to_owned))
        },
    )
    .await
}
