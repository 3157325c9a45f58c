use bulkhead::config::Config;

use super::*;

const CHECK: &str = "eks_cluster_not_publicly_accessible";

fn public(cidrs: &[&str]) -> AccountInventory {
    with_cluster(|cluster| {
        cluster.endpoint_public_access = true;
        cluster.public_access_cidrs = cidrs.iter().map(|cidr| (*cidr).to_owned()).collect();
    })
}

#[test]
fn private_passes_open_to_the_internet_fails() {
    assert_eq!(status(CHECK, &with_cluster(|_| {})), Status::Pass);
    assert_eq!(status(CHECK, &public(&["0.0.0.0/0"])), Status::Fail);
    assert_eq!(status(CHECK, &public(&[])), Status::Fail);
    let finding = only(CHECK, &public(&["0.0.0.0/0"]));
    assert_eq!(finding.resource_id, "prod");
    assert!(finding.message.contains("whole internet"), "{}", finding.message);
}

#[test]
fn limited_to_cidrs_fails_unless_the_configuration_accepts_it() {
    let limited = public(&["203.0.113.0/24"]);
    let finding = only(CHECK, &limited);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("203.0.113.0/24"), "{}", finding.message);
    let accepting = Config { eks_public_endpoint_cidrs_accepted: true, ..Config::default() };
    let findings = run_with(CHECK, &limited, &accepting);
    assert_eq!(findings[0].status, Status::Pass, "{}", findings[0].message);
    let open = run_with(CHECK, &public(&["0.0.0.0/0"]), &accepting);
    assert_eq!(open[0].status, Status::Fail, "the whole internet is never accepted");
}

#[test]
fn a_cluster_that_could_not_be_described_is_error_under_its_identity() {
    let account = account_with(|region| {
        region.eks.clusters = Collected::Ok(Vec::new());
        region.eks.undescribed_clusters = vec![bulkhead::inventory::Undescribed {
            id: "gone".into(),
            arn: format!("arn:aws:eks:{REGION}:{ACCOUNT}:cluster/gone"),
            error: denied(Service::Eks, "DescribeCluster"),
        }];
    });
    let finding = only(CHECK, &account);
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "gone"));
}
