use crate::support::{Account, text};

const ALL: &str = "ec2_securitygroup_allow_ingress_from_internet_to_all_ports";
const SSH: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";
const RDP: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn each_group_is_judged_by_each_exposure() {
    let account = Account::seeded("ec2_securitygroup_allow_ingress_from_internet");
    let scan = account.scan(&["--checks", &format!("{ALL},{SSH},{RDP}")]);

    // (group, all ports, tcp 22, tcp 3389)
    let expected = [
        ("(open-everything)", "FAIL", "FAIL", "FAIL"),
        ("(all-tcp)", "FAIL", "FAIL", "FAIL"),
        ("(ssh-ipv6)", "PASS", "FAIL", "PASS"),
        ("(rdp-in-range)", "PASS", "PASS", "FAIL"),
        ("(office-ssh)", "PASS", "PASS", "PASS"),
        ("(https-only)", "PASS", "PASS", "PASS"),
        ("(us-ssh)", "PASS", "FAIL", "PASS"),
    ];
    for (group, all, ssh, rdp) in expected {
        assert_eq!(scan.status_of(ALL, group), all, "{group} all ports");
        assert_eq!(scan.status_of(SSH, group), ssh, "{group} tcp 22");
        assert_eq!(scan.status_of(RDP, group), rdp, "{group} tcp 3389");
    }
    // Every group is evaluated, the default group of each region included.
    for check in [ALL, SSH, RDP] {
        let defaults = scan.findings(check).into_iter().filter(|f| text(&f["message"]).contains("(default)")).count();
        assert_eq!(defaults, 3, "{check}: one default group per region");
    }

    let open = scan.finding_mentioning(SSH, "(open-everything)");
    let message = text(&open["message"]);
    assert!(
        message.contains("from 0.0.0.0/0 (rule: all traffic)") && message.contains("attached to eni-"),
        "{message}"
    );
    let ipv6 = text(&scan.finding_mentioning(SSH, "(ssh-ipv6)")["message"]);
    assert!(ipv6.contains("from ::/0") && ipv6.contains("not attached to any network interface"), "{ipv6}");
    let sg_id = text(&open["resource_id"]);
    assert!(sg_id.starts_with("sg-"));
    assert_eq!(open["resource_arn"], format!("arn:aws:ec2:eu-west-1:{}:security-group/{sg_id}", account.id));
}
