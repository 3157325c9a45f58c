use super::*;

const CHECK: &str = "elbv2_waf_acl_attached";

#[test]
fn an_internet_facing_alb_needs_a_web_acl() {
    let public = load_balancer("public", "internet-facing", "application");
    let finding = only(CHECK, &fronting(vec![public.clone()]));
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(finding.message.contains("fronts ECS service web of cluster prod"), "{}", finding.message);
    assert!(finding.message.contains("no WAFv2 web ACL protects it (0 web ACL(s)"), "{}", finding.message);

    let mut protected = balancers(vec![public.clone()]);
    protected.regions.get_mut(REGION).unwrap().elbv2.web_acls =
        Collected::Ok(vec![web_acl("other", &[]), web_acl("edge", &[&public.arn])]);
    let finding = only(CHECK, &protected);
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(finding.message.contains("protected by WAFv2 web ACL edge"), "{}", finding.message);
}

#[test]
fn a_web_acl_whose_resources_are_unknown_leaves_it_unknown() {
    let public = load_balancer("public", "internet-facing", "application");
    let mut account = balancers(vec![public]);
    let mut unread = web_acl("edge", &[]);
    unread.protects = Collected::Failed(denied(bulkhead::aws::Service::Wafv2, "ListResourcesForWebACL"));
    account.regions.get_mut(REGION).unwrap().elbv2.web_acls = Collected::Ok(vec![unread]);
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Error, "{}", finding.message);
    assert!(finding.message.contains("ListResourcesForWebACL"), "{}", finding.message);
}

#[test]
fn internal_and_network_load_balancers_are_not_judged() {
    let internal = load_balancer("admin", "internal", "application");
    let network = load_balancer("nlb", "internet-facing", "network");
    assert!(run(CHECK, &balancers(vec![internal, network])).is_empty());
}
