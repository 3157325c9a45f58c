use super::*;

const CHECK: &str = "eks_nodegroup_imdsv2_required";

fn with_options(edit: impl FnOnce(&mut MetadataOptions)) -> AccountInventory {
    with_cluster(|cluster| {
        let mut group = nodegroup(cluster, "workers");
        let template = group.launch_template.as_mut().unwrap();
        let Collected::Ok(options) = &mut template.metadata else { unreachable!() };
        edit(options);
        cluster.nodegroups = Collected::Ok(vec![group]);
    })
}

#[test]
fn imdsv2_with_hop_limit_1_passes() {
    let finding = only(CHECK, &with_options(|_| {}));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Pass, "prod/workers"));
    assert_eq!(status(CHECK, &with_options(|options| options.http_put_response_hop_limit = None)), Status::Pass);
    assert_eq!(status(CHECK, &with_options(|options| options.http_endpoint = Some("disabled".into()))), Status::Pass);
}

#[test]
fn imdsv1_or_a_hop_limit_pods_pass_fails() {
    assert_eq!(status(CHECK, &with_options(|options| options.http_tokens = Some("optional".into()))), Status::Fail);
    assert_eq!(status(CHECK, &with_options(|options| options.http_tokens = None)), Status::Fail);
    let hops = only(CHECK, &with_options(|options| options.http_put_response_hop_limit = Some(2)));
    assert_eq!(hops.status, Status::Fail);
    assert!(hops.message.contains("hop limit of 2"), "{}", hops.message);
}

#[test]
fn a_node_group_without_a_launch_template_is_not_judged_an_unreadable_one_is_error() {
    let none = with_cluster(|cluster| {
        let mut group = nodegroup(cluster, "workers");
        group.launch_template = None;
        cluster.nodegroups = Collected::Ok(vec![group]);
    });
    assert!(run(CHECK, &none).is_empty());
    let unreadable = with_cluster(|cluster| {
        let mut group = nodegroup(cluster, "workers");
        group.launch_template.as_mut().unwrap().metadata =
            Collected::Failed(denied(Service::Ec2, "DescribeLaunchTemplateVersions"));
        cluster.nodegroups = Collected::Ok(vec![group]);
    });
    let finding = only(CHECK, &unreadable);
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Error, "prod/workers"));
}
