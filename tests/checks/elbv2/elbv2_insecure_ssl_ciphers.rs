use super::*;

const CHECK: &str = "elbv2_insecure_ssl_ciphers";

fn with_policy(kind: &str, protocol: &str, policy: Option<&str>) -> AccountInventory {
    let mut balancer = load_balancer("edge", "internet-facing", kind);
    let mut tls = listener(443, protocol);
    tls.ssl_policy = policy.map(str::to_owned);
    balancer.listeners = Collected::Ok(vec![listener(80, "HTTP"), tls]);
    balancers(vec![balancer])
}

#[test]
fn a_policy_that_accepts_tls_1_0_or_1_1_fails() {
    let finding = only(CHECK, &with_policy("application", "HTTPS", Some("ELBSecurityPolicy-2016-08")));
    assert_eq!(finding.status, Status::Fail, "{}", finding.message);
    assert!(
        finding.message.contains("listener HTTPS 443 uses ELBSecurityPolicy-2016-08, which accepts TLS 1.0"),
        "{}",
        finding.message
    );
    let nlb = with_policy("network", "TLS", Some("ELBSecurityPolicy-TLS13-1-1-2021-06"));
    assert_eq!(status(CHECK, &nlb), Status::Fail);
}

#[test]
fn tls_1_2_or_later_passes_and_an_unknown_policy_is_an_error() {
    let finding = only(CHECK, &with_policy("application", "HTTPS", Some("ELBSecurityPolicy-TLS13-1-2-2021-06")));
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(finding.message.contains("accepts TLS 1.2 or later only"), "{}", finding.message);
    let plain = balancers(vec![load_balancer("plain", "internal", "application")]);
    assert_eq!(status(CHECK, &plain), Status::Pass, "no TLS listener, no policy");

    let unknown = only(CHECK, &with_policy("application", "HTTPS", Some("ELBSecurityPolicy-2030-01")));
    assert_eq!(unknown.status, Status::Error, "{}", unknown.message);
    assert!(unknown.message.contains("not in bulkhead's table"), "{}", unknown.message);
    assert_eq!(status(CHECK, &with_policy("application", "HTTPS", None)), Status::Error);
}
