use bulkhead::config::Config;

use super::*;

const CHECK: &str = "vpc_flow_logs_enabled";

#[test]
fn a_vpc_in_use_needs_an_active_flow_log() {
    let finding = only(CHECK, &vpcs(vec![vpc("vpc-1")], vec![], &[("eni-1", "vpc-1")]));
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(
        finding.message.starts_with("VPC vpc-1 (1 network interface, no running ECS task) has no flow log"),
        "{}",
        finding.message
    );

    let logged = vpcs(vec![vpc("vpc-1")], vec![flow_log("fl-1", "vpc-1")], &[("eni-1", "vpc-1")]);
    let finding = only(CHECK, &logged);
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(finding.message.contains("flow log(s) fl-1 (ALL to s3, ACTIVE)"), "{}", finding.message);

    let mut failing = flow_log("fl-1", "vpc-1");
    failing.status = Some("FAILED".into());
    let stopped = vpcs(vec![vpc("vpc-1")], vec![failing, flow_log("fl-2", "subnet-1")], &[("eni-1", "vpc-1")]);
    assert_eq!(status(CHECK, &stopped), Status::Fail, "inactive, and a subnet's log is not the VPC's");
}

#[test]
fn an_unused_vpc_is_judged_only_when_the_config_says_so() {
    let idle = vpcs(vec![vpc("vpc-1"), vpc("vpc-2")], vec![], &[("eni-1", "vpc-1")]);
    let findings = run(CHECK, &idle);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let every = Config { vpc_flow_logs_every_vpc: true, ..Config::default() };
    let findings = run_with(CHECK, &idle, &every);
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|finding| finding.status == Status::Fail));
}

#[test]
fn the_message_says_when_the_vpc_holds_containers() {
    let mut account = vpcs(vec![vpc("vpc-1")], vec![], &[("eni-1", "vpc-1")]);
    let definition = task_definition("app", 1, vec![container("web")]);
    let mut prod = cluster("prod");
    let mut task = running_task(&prod, Some("web"), &definition);
    task.network_interfaces = vec!["eni-1".into()];
    prod.running_tasks = Collected::Ok(vec![task]);
    account.regions.get_mut(REGION).unwrap().ecs.clusters = Collected::Ok(vec![prod]);
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding.message.contains("holds container workloads: ECS service web of cluster prod"),
        "{}",
        finding.message
    );
}

#[test]
fn the_message_names_the_eks_clusters_whose_subnets_are_in_the_vpc() {
    let mut account = vpcs(vec![vpc("vpc-1"), vpc("vpc-2")], vec![], &[("eni-1", "vpc-1"), ("eni-2", "vpc-2")]);
    let region = account.regions.get_mut(REGION).unwrap();
    let Collected::Ok(interfaces) = &mut region.ec2.network_interfaces else { unreachable!() };
    interfaces[0].subnet_id = Some("subnet-a".into());
    interfaces[1].subnet_id = Some("subnet-b".into());
    // One cluster names its VPC; the other is placed by its subnets alone.
    let mut by_vpc = eks_cluster("named");
    by_vpc.vpc_id = Some("vpc-2".into());
    by_vpc.subnet_ids = vec!["subnet-x".into()];
    let mut by_subnet = eks_cluster("placed");
    by_subnet.subnet_ids = vec!["subnet-a".into()];
    region.eks.clusters = Collected::Ok(vec![by_vpc, by_subnet]);
    let findings = run(CHECK, &account);
    let message = |vpc: &str| {
        findings.iter().find(|finding| finding.resource_id == vpc).map(|finding| finding.message.clone()).unwrap()
    };
    assert!(
        message("vpc-1").contains("holds container workloads: EKS cluster placed (subnets subnet-a)"),
        "{}",
        message("vpc-1")
    );
    assert!(
        message("vpc-2").contains("holds container workloads: EKS cluster named (subnets subnet-x)"),
        "{}",
        message("vpc-2")
    );
    assert!(!message("vpc-1").contains("named"), "{}", message("vpc-1"));
}
