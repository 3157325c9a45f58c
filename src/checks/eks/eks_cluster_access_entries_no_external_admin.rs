//! No access entry gives a principal outside the audited account and
//! `trusted_accounts` the cluster-wide admin access policies
//! (`AmazonEKSClusterAdminPolicy`, `AmazonEKSAdminPolicy`). A cluster in
//! `CONFIG_MAP` authentication mode fails as unjudged: its `aws-auth`
//! ConfigMap is inside Kubernetes, not readable through the AWS API.

use crate::checks::{Check, Context, Read, Scope, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::eks::{AccessEntry, EksCluster};

pub const CHECK: Check = Check {
    id: "eks_cluster_access_entries_no_external_admin",
    scope: Scope::EksClusters(judge),
    reads: &[ResourceKind::EksAccessEntries],
};

const ADMIN_POLICIES: [&str; 2] = ["AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy"];

fn judge(ctx: &Context<'_>, cluster: &EksCluster) -> Verdict {
    if !cluster.has_access_entries() {
        let mode = cluster.authentication_mode.as_deref().unwrap_or("CONFIG_MAP");
        return fail(format!(
            "is in {mode} authentication mode, so who administers it is unjudged: its aws-auth ConfigMap is not readable through the AWS API (switch to API_AND_CONFIG_MAP or API to have access entries)."
        ));
    }
    let entries = cluster.access_entries.read("the access entries")?;
    let mut external = Vec::new();
    for entry in entries {
        if let Some(admin) = external_admin(ctx, entry)? {
            external.push(admin);
        }
    }
    if external.is_empty() {
        pass(format!(
            "gives no principal outside account {} and trusted_accounts cluster-wide admin access ({} access entries).",
            ctx.account.account_id,
            entries.len()
        ))
    } else {
        fail(format!("gives cluster-wide admin access to principals of other accounts: {}.", external.join("; ")))
    }
}

/// `PRINCIPAL (POLICY, ...)` when the entry is another, untrusted account's
/// principal with an admin policy scoped to the whole cluster.
fn external_admin(ctx: &Context<'_>, entry: &AccessEntry) -> Result<Option<String>, crate::checks::Unknown> {
    let Some(policies) = &entry.policies else { return Ok(None) };
    let trusted = entry.principal_account.as_deref().is_some_and(|account| {
        account == ctx.account.account_id || ctx.config.trusted_accounts.iter().any(|trusted| trusted == account)
    });
    if trusted {
        return Ok(None);
    }
    let policies = policies.read(format_args!("the access policies of {}", entry.principal_arn))?;
    let admin: Vec<&str> = policies
        .iter()
        .filter(|policy| ADMIN_POLICIES.contains(&policy.name()) && policy.scope.as_deref() != Some("namespace"))
        .map(|policy| policy.name())
        .collect();
    Ok((!admin.is_empty()).then(|| format!("{} ({})", entry.principal_arn, admin.join(", "))))
}
