use bulkhead::inventory::Undescribed;
use bulkhead::inventory::ec2::Protocol;
use bulkhead::inventory::ecs::ServiceLoadBalancer;
use bulkhead::inventory::elbv2::{LoadBalancer, TargetGroup};
use bulkhead::inventory::image_vulnerabilities::{
    Coverage, ImageVulnerabilities, ScanType, Vulnerability, VulnerablePackage,
};

use super::*;

const CHECK: &str = "ecr_images_internet_exposed_no_vulnerabilities";
const DIGEST: &str = "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";

fn vulnerability(id: &str, severity: &str) -> Vulnerability {
    Vulnerability {
        id: id.into(),
        severity: severity.into(),
        packages: vec![VulnerablePackage {
            name: Some("openssl".into()),
            installed_version: Some("3.0.1".into()),
            fixed_in: Some("3.0.13".into()),
        }],
        fix_available: Some("YES".into()),
        exploit_available: Some("YES".into()),
        score: Some(9.8),
        uri: None,
        title: None,
    }
}

fn scanned(findings: Vec<Vulnerability>) -> Collected<ImageVulnerabilities> {
    Collected::Ok(ImageVulnerabilities {
        scan_type: Some(ScanType::Enhanced),
        coverage: Coverage::Complete,
        status: Some("ACTIVE".into()),
        completed_at: None,
        findings,
    })
}

/// `app:v1` (digest ddd…, with `vulnerabilities`) named by `app:1`, whose
/// container listens on 8080; run by service `web` when `running`, its task
/// on eni-1 with `public_ip`, in sg-web open to the internet on 8080.
fn exposed(
    vulnerabilities: Collected<ImageVulnerabilities>,
    running: bool,
    public_ip: Option<&str>,
) -> AccountInventory {
    let reference = own_ecr_image("app", "v1");
    let mut web = container("web");
    web.image = reference.clone();
    let definition = task_definition("app", 1, vec![web]);
    let mut prod = cluster("prod");
    let mut task = running_task(&prod, Some("web"), &definition);
    task.containers[0].image_digest = Some(DIGEST.into());
    task.network_interfaces = vec!["eni-1".into()];
    prod.running_tasks = Collected::Ok(if running { vec![task] } else { Vec::new() });
    prod.services = Collected::Ok(vec![service(&prod, "web")]);
    let mut account = account_with_task_definitions(vec![definition]);
    let region = account.regions.get_mut(REGION).unwrap();
    region.ecs.clusters = Collected::Ok(vec![prod]);
    let mut group = security_group("sg-web");
    group.ingress = vec![permission(Protocol::Tcp, Some((8080, 8080)), "0.0.0.0/0")];
    region.ec2.security_groups = Collected::Ok(vec![group]);
    region.ec2.network_interfaces = Collected::Ok(vec![network_interface("eni-1", &["sg-web"], public_ip)]);
    region.elbv2.load_balancers = Collected::Ok(Vec::new());
    region.elbv2.target_groups = Collected::Ok(Vec::new());
    let mut image = registry_image(&reference, Collected::Ok(image_config()));
    image.vulnerabilities = vulnerabilities;
    account.registry_images = Collected::Ok(vec![image]);
    account
}

#[test]
fn an_exposed_running_image_with_serious_findings_fails() {
    let account = exposed(
        scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL"), vulnerability("CVE-2024-0002", "LOW")]),
        true,
        Some("203.0.113.7"),
    );
    let finding = only(CHECK, &account);
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Fail, format!("app@{DIGEST}").as_str()));
    assert!(
        finding.message.contains("public IP 203.0.113.7 (eni-1) in sg-web open to 0.0.0.0/0 on port 8080"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains(
            "1 finding(s) of severity high or above: CVE-2024-0001 (CRITICAL, openssl, exploit known, fixed in 3.0.13)"
        ),
        "{}",
        finding.message
    );

    let low_only = exposed(scanned(vec![vulnerability("CVE-2024-0002", "LOW")]), true, Some("203.0.113.7"));
    assert_eq!(status(CHECK, &low_only), Status::Pass);
}

#[test]
fn internal_and_idle_images_pass_and_the_unknown_is_an_error() {
    let critical = || scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL")]);
    let internal = only(CHECK, &exposed(critical(), true, None));
    assert_eq!(internal.status, Status::Pass);
    assert!(internal.message.contains("none reachable from the internet"), "{}", internal.message);
    assert_eq!(status(CHECK, &exposed(critical(), false, None)), Status::Pass, "run by no task");

    let mut blind = exposed(critical(), true, Some("203.0.113.7"));
    blind.regions.get_mut(REGION).unwrap().ec2.network_interfaces =
        Collected::Failed(denied(Service::Ec2, "DescribeNetworkInterfaces"));
    let finding = only(CHECK, &blind);
    assert_eq!(finding.status, Status::Error, "{}", finding.message);
    assert!(finding.message.contains("DescribeNetworkInterfaces"), "{}", finding.message);

    let unread =
        exposed(Collected::Failed(denied(Service::Ecr, "DescribeImageScanFindings")), true, Some("203.0.113.7"));
    assert_eq!(status(CHECK, &unread), Status::Error);
    let pending = Collected::Ok(ImageVulnerabilities {
        scan_type: Some(ScanType::Enhanced),
        coverage: Coverage::Unknown { reason: "Inspector has not reported".into() },
        status: Some("ACTIVE".into()),
        completed_at: None,
        findings: Vec::new(),
    });
    assert_eq!(status(CHECK, &exposed(pending, true, Some("203.0.113.7"))), Status::Error, "not clean: unknown");
    let never = Collected::Ok(ImageVulnerabilities {
        scan_type: Some(ScanType::Basic),
        coverage: Coverage::NeverScanned,
        status: None,
        completed_at: None,
        findings: Vec::new(),
    });
    assert_eq!(status(CHECK, &exposed(never, true, Some("203.0.113.7"))), Status::Fail, "exposed and never scanned");
}

#[test]
fn an_internet_facing_load_balancer_exposes_its_service() {
    let mut account = exposed(scanned(vec![vulnerability("CVE-2024-0001", "HIGH")]), true, None);
    let region = account.regions.get_mut(REGION).unwrap();
    let Collected::Ok(clusters) = &mut region.ecs.clusters else { unreachable!() };
    let Collected::Ok(services) = &mut clusters[0].services else { unreachable!() };
    let group_arn = format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/1");
    let balancer_arn = format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/public/1");
    services[0].load_balancers = vec![ServiceLoadBalancer {
        target_group_arn: Some(group_arn.clone()),
        load_balancer_name: None,
        container_name: Some("web".into()),
        container_port: Some(8080),
    }];
    region.elbv2.target_groups = Collected::Ok(vec![TargetGroup {
        arn: group_arn,
        name: "web".into(),
        port: Some(8080),
        protocol: Some("HTTP".into()),
        target_type: Some("ip".into()),
        load_balancer_arns: vec![balancer_arn.clone()],
    }]);
    let balancer = |scheme: &str| LoadBalancer {
        arn: balancer_arn.clone(),
        listeners: Collected::Ok(vec![listener(443, "HTTPS")]),
        ..load_balancer("public", scheme, "application")
    };
    region.elbv2.load_balancers = Collected::Ok(vec![balancer("internet-facing")]);
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding.message.contains("internet-facing application load balancer public (HTTPS 443, target group web)"),
        "{}",
        finding.message
    );

    account.regions.get_mut(REGION).unwrap().elbv2.load_balancers = Collected::Ok(vec![balancer("internal")]);
    assert_eq!(status(CHECK, &account), Status::Pass);
}

#[test]
fn a_classic_load_balancer_leaves_reachability_unknown() {
    let mut account = exposed(scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL")]), true, None);
    let region = account.regions.get_mut(REGION).unwrap();
    let Collected::Ok(clusters) = &mut region.ecs.clusters else { unreachable!() };
    let Collected::Ok(services) = &mut clusters[0].services else { unreachable!() };
    services[0].load_balancers = vec![ServiceLoadBalancer {
        target_group_arn: None,
        load_balancer_name: Some("legacy-web".into()),
        container_name: Some("web".into()),
        container_port: Some(8080),
    }];
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Error, "{}", finding.message);
    assert!(
        finding.message.contains("Classic Load Balancer legacy-web, which bulkhead does not read"),
        "{}",
        finding.message
    );
}

#[test]
fn a_task_on_its_instances_network_leaves_reachability_unknown() {
    let mut account = exposed(scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL")]), true, None);
    let region = account.regions.get_mut(REGION).unwrap();
    let Collected::Ok(clusters) = &mut region.ecs.clusters else { unreachable!() };
    let Collected::Ok(tasks) = &mut clusters[0].running_tasks else { unreachable!() };
    tasks[0].network_interfaces.clear();
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Error, "{}", finding.message);
    assert!(finding.message.contains("no network interface of its own"), "{}", finding.message);
}

#[test]
fn tasks_that_cannot_be_seen_leave_an_idle_image_unknown() {
    let critical = || scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL")]);
    // A cluster ListClusters named but DescribeClusters could not describe.
    let mut hidden = exposed(critical(), false, None);
    hidden.regions.get_mut(REGION).unwrap().ecs.undescribed_clusters = vec![Undescribed::new(
        &format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/batch"),
        denied(Service::Ecs, "DescribeClusters"),
    )];
    let finding = only(CHECK, &hidden);
    assert_eq!(finding.status, Status::Error, "{}", finding.message);
    assert!(finding.message.contains("cluster batch of eu-west-1 could not be described"), "{}", finding.message);

    // A task still pulling its image names its tag but no digest yet.
    let mut pulling = exposed(critical(), true, Some("203.0.113.7"));
    let region = pulling.regions.get_mut(REGION).unwrap();
    let Collected::Ok(clusters) = &mut region.ecs.clusters else { unreachable!() };
    let Collected::Ok(tasks) = &mut clusters[0].running_tasks else { unreachable!() };
    tasks[0].containers[0].image_digest = None;
    let finding = only(CHECK, &pulling);
    assert_eq!(finding.status, Status::Error, "{}", finding.message);
    assert!(finding.message.contains("has no digest for it yet"), "{}", finding.message);
}

/// [`exposed`] with no public IPv4: its task's interface has an IPv6
/// address in `vpc-1`'s `subnet-1`, whose main route table sends `::/0` to
/// `ipv6_gateway`, and sg-web is open to `v6_source` (else `0.0.0.0/0`) on 8080.
fn dual_stack(ipv6_gateway: Option<&str>, v6_open: bool) -> AccountInventory {
    let mut account = exposed(scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL")]), true, None);
    let region = account.regions.get_mut(REGION).unwrap();
    let mut interface = network_interface("eni-1", &["sg-web"], None);
    interface.ipv6_addresses = vec!["2600:1f18:7::7".into()];
    region.ec2.network_interfaces = Collected::Ok(vec![interface]);
    region.ec2.route_tables = Collected::Ok(vec![main_route_table("rtb-main", ipv6_gateway)]);
    let source = if v6_open { "::/0" } else { "0.0.0.0/0" };
    let mut group = security_group("sg-web");
    group.ingress = vec![permission(Protocol::Tcp, Some((8080, 8080)), source)];
    region.ec2.security_groups = Collected::Ok(vec![group]);
    account
}

#[test]
fn an_ipv6_address_routed_to_an_internet_gateway_is_exposed() {
    let finding = only(CHECK, &dual_stack(Some("igw-1"), true));
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(
        finding
            .message
            .contains("IPv6 address 2600:1f18:7::7 (eni-1, routed through igw-1) in sg-web open to ::/0 on port 8080"),
        "{}",
        finding.message
    );
}

#[test]
fn ipv6_through_an_egress_only_gateway_or_no_route_is_not_exposed() {
    let egress_only = only(CHECK, &dual_stack(Some("eigw-1"), true));
    assert_eq!(egress_only.status, Status::Pass, "{}", egress_only.message);
    assert!(egress_only.message.contains("none reachable from the internet"), "{}", egress_only.message);
    assert_eq!(status(CHECK, &dual_stack(None, true)), Status::Pass, "no IPv6 route out at all");

    // The subnet's own route table wins over the VPC's main one.
    let mut own = dual_stack(Some("igw-1"), true);
    let region = own.regions.get_mut(REGION).unwrap();
    let Collected::Ok(tables) = &mut region.ec2.route_tables else { unreachable!() };
    let mut private = main_route_table("rtb-private", Some("eigw-1"));
    private.main = false;
    private.subnet_ids = vec!["subnet-1".into()];
    tables.push(private);
    assert_eq!(status(CHECK, &own), Status::Pass, "subnet-1 has its own egress-only table");

    // The IPv4 default route to the internet gateway, with an empty IPv6 destination, is no IPv6 route.
    let mut v4_default = dual_stack(Some("eigw-1"), true);
    let region = v4_default.regions.get_mut(REGION).unwrap();
    let Collected::Ok(tables) = &mut region.ec2.route_tables else { unreachable!() };
    let mut default_route = tables[0].routes[0].clone();
    default_route.destination_ipv4 = Some("0.0.0.0/0".into());
    default_route.destination_ipv6 = Some(String::new());
    default_route.gateway_id = Some("igw-1".into());
    tables[0].routes.push(default_route);
    assert_eq!(status(CHECK, &v4_default), Status::Pass);

    // A blackhole route is no path.
    let mut dead = dual_stack(Some("igw-1"), true);
    let region = dead.regions.get_mut(REGION).unwrap();
    let Collected::Ok(tables) = &mut region.ec2.route_tables else { unreachable!() };
    tables[0].routes[1].state = Some("blackhole".into());
    assert_eq!(status(CHECK, &dead), Status::Pass);
}

#[test]
fn each_family_needs_its_own_open_range() {
    // Routed to the internet over IPv6, but the group admits IPv4 clients only.
    assert_eq!(status(CHECK, &dual_stack(Some("igw-1"), false)), Status::Pass);

    // A public IPv4 address in a group open to ::/0 alone admits no IPv4 client.
    let mut v4 = exposed(scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL")]), true, Some("203.0.113.7"));
    let region = v4.regions.get_mut(REGION).unwrap();
    let mut group = security_group("sg-web");
    group.ingress = vec![permission(Protocol::Tcp, Some((8080, 8080)), "::/0")];
    region.ec2.security_groups = Collected::Ok(vec![group]);
    assert_eq!(status(CHECK, &v4), Status::Pass);
}

#[test]
fn the_routes_of_an_ipv6_address_unread_leave_reachability_unknown() {
    let mut account = dual_stack(Some("igw-1"), true);
    account.regions.get_mut(REGION).unwrap().ec2.route_tables =
        Collected::Failed(denied(Service::Ec2, "DescribeRouteTables"));
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Error, "{}", finding.message);
    assert!(finding.message.contains("DescribeRouteTables"), "{}", finding.message);
}

#[test]
fn a_load_balancer_is_reached_over_the_families_it_listens_on() {
    let mut account = exposed(scanned(vec![vulnerability("CVE-2024-0001", "HIGH")]), true, None);
    let region = account.regions.get_mut(REGION).unwrap();
    let Collected::Ok(clusters) = &mut region.ecs.clusters else { unreachable!() };
    let Collected::Ok(services) = &mut clusters[0].services else { unreachable!() };
    let group_arn = format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/1");
    services[0].load_balancers = vec![ServiceLoadBalancer {
        target_group_arn: Some(group_arn.clone()),
        load_balancer_name: None,
        container_name: Some("web".into()),
        container_port: Some(8080),
    }];
    let mut balancer = load_balancer("public", "internet-facing", "application");
    balancer.security_groups = vec!["sg-edge".into()];
    balancer.listeners = Collected::Ok(vec![listener(443, "HTTPS")]);
    region.elbv2.target_groups = Collected::Ok(vec![TargetGroup {
        arn: group_arn,
        name: "web".into(),
        port: Some(8080),
        protocol: Some("HTTP".into()),
        target_type: Some("ip".into()),
        load_balancer_arns: vec![balancer.arn.clone()],
    }]);
    let mut edge = security_group("sg-edge");
    edge.ingress = vec![permission(Protocol::Tcp, Some((443, 443)), "::/0")];
    let Collected::Ok(groups) = &mut region.ec2.security_groups else { unreachable!() };
    groups.push(edge);
    region.elbv2.load_balancers = Collected::Ok(vec![balancer.clone()]);
    assert_eq!(status(CHECK, &account), Status::Pass, "an IPv4-only load balancer takes no IPv6 client");

    balancer.ip_address_type = Some("dualstack".into());
    account.regions.get_mut(REGION).unwrap().elbv2.load_balancers = Collected::Ok(vec![balancer]);
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(finding.message.contains("load balancer public (HTTPS 443"), "{}", finding.message);
}

/// The same content in another region's repository (a replica) is not what
/// the exposed task pulled: only the copy its reference names runs there.
#[test]
fn a_copy_in_another_regions_repository_is_not_the_image_that_runs() {
    let mut account = exposed(scanned(vec![vulnerability("CVE-2024-0001", "CRITICAL")]), true, Some("203.0.113.7"));
    let Collected::Ok(images) = &mut account.registry_images else { unreachable!() };
    let mut replica = images[0].clone();
    let other = "eu-central-1";
    replica.region = other.into();
    replica.arn = replica.arn.replace(REGION, other);
    replica.references = vec![replica.references[0].replace(REGION, other)];
    images.push(replica);

    let findings = run(CHECK, &account);
    let verdicts: Vec<(Status, &str)> =
        findings.iter().map(|finding| (finding.status, finding.resource_arn.as_str())).collect();
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert!(verdicts.iter().any(|(status, arn)| *status == Status::Fail && arn.contains(REGION)), "{verdicts:?}");
    let replica = findings.iter().find(|finding| finding.resource_arn.contains(other)).unwrap();
    assert_eq!(replica.status, Status::Pass, "{}", replica.message);
    assert!(replica.message.contains("is run by no task"), "{}", replica.message);
}
