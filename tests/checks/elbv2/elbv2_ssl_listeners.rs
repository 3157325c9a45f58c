use bulkhead::inventory::elbv2::ListenerAction;

use super::*;

const CHECK: &str = "elbv2_ssl_listeners";

#[test]
fn an_http_listener_must_redirect_to_https() {
    let mut public = load_balancer("public", "internet-facing", "application");
    public.listeners = Collected::Ok(vec![listener(80, "HTTP"), listener(443, "HTTPS")]);
    let finding = only(CHECK, &fronting(vec![public.clone()]));
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(
        finding.message.starts_with(
            "Application load balancer public (internet-facing, fronts ECS service web of cluster prod) serves plain HTTP: listener(s) HTTP 80"
        ),
        "{}",
        finding.message
    );
    assert_eq!(finding.resource_arn, public.arn);

    let Collected::Ok(listeners) = &mut public.listeners else { unreachable!() };
    listeners[0].default_actions =
        vec![ListenerAction { kind: "redirect".into(), redirect_protocol: Some("HTTPS".into()) }];
    let finding = only(CHECK, &balancers(vec![public]));
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(finding.message.contains("fronts no ECS service"), "{}", finding.message);
}

#[test]
fn internal_load_balancers_are_judged_and_network_ones_have_no_http() {
    let mut internal = load_balancer("admin", "internal", "application");
    internal.listeners = Collected::Ok(vec![listener(80, "HTTP")]);
    assert_eq!(status(CHECK, &balancers(vec![internal])), Status::Fail);
    let mut tls = load_balancer("tls", "internet-facing", "application");
    tls.listeners = Collected::Ok(vec![listener(443, "HTTPS")]);
    assert_eq!(status(CHECK, &balancers(vec![tls])), Status::Pass);
    let network = load_balancer("nlb", "internet-facing", "network");
    assert!(run(CHECK, &balancers(vec![network])).is_empty(), "no finding for a network load balancer");
}
