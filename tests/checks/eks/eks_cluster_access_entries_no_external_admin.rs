use bulkhead::config::Config;

use super::*;

const CHECK: &str = "eks_cluster_access_entries_no_external_admin";

fn entry(principal: &str, policies: Option<Vec<(&str, &str)>>) -> AccessEntry {
    AccessEntry {
        principal_arn: principal.into(),
        principal_account: principal.split(':').nth(4).map(str::to_owned),
        policies: policies.map(|policies| {
            Collected::Ok(
                policies
                    .into_iter()
                    .map(|(name, scope)| AccessPolicy {
                        policy_arn: format!("arn:aws:eks::aws:cluster-access-policy/{name}"),
                        scope: Some(scope.into()),
                        namespaces: Vec::new(),
                    })
                    .collect(),
            )
        }),
    }
}

fn with_entries(entries: Vec<AccessEntry>) -> AccountInventory {
    with_cluster(|cluster| cluster.access_entries = Collected::Ok(entries))
}

const OUTSIDER: &str = "arn:aws:iam::999988887777:role/vendor";

#[test]
fn an_external_cluster_admin_fails_in_account_and_namespaced_pass() {
    let own = entry(&format!("arn:aws:iam::{ACCOUNT}:role/ops"), None);
    assert_eq!(status(CHECK, &with_entries(vec![own.clone()])), Status::Pass);
    let viewer = entry(OUTSIDER, Some(vec![("AmazonEKSViewPolicy", "cluster")]));
    assert_eq!(status(CHECK, &with_entries(vec![own.clone(), viewer])), Status::Pass);
    let namespaced = entry(OUTSIDER, Some(vec![("AmazonEKSAdminPolicy", "namespace")]));
    assert_eq!(status(CHECK, &with_entries(vec![namespaced])), Status::Pass);
    let admin = entry(OUTSIDER, Some(vec![("AmazonEKSClusterAdminPolicy", "cluster")]));
    let finding = only(CHECK, &with_entries(vec![own, admin.clone()]));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("999988887777:role/vendor (AmazonEKSClusterAdminPolicy)"), "{}", finding.message);
    let trusting = Config { trusted_accounts: vec!["999988887777".into()], ..Config::default() };
    assert_eq!(run_with(CHECK, &with_entries(vec![admin]), &trusting)[0].status, Status::Pass);
}

#[test]
fn config_map_mode_is_unjudged_and_unreadable_policies_are_error() {
    let config_map = with_cluster(|cluster| {
        cluster.authentication_mode = Some("CONFIG_MAP".into());
        cluster.access_entries = Collected::NotRequested;
    });
    let finding = only(CHECK, &config_map);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("unjudged"), "{}", finding.message);
    let mut unreadable = entry(OUTSIDER, None);
    unreadable.policies = Some(Collected::Failed(denied(Service::Eks, "ListAssociatedAccessPolicies")));
    assert_eq!(status(CHECK, &with_entries(vec![unreadable])), Status::Error);
}
