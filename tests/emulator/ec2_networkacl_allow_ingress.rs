use crate::support::{Account, text};

const ANY: &str = "ec2_networkacl_allow_ingress_any_port";
const SSH: &str = "ec2_networkacl_allow_ingress_tcp_port_22";
const RDP: &str = "ec2_networkacl_allow_ingress_tcp_port_3389";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn rules_are_evaluated_in_order_first_match_wins() {
    let account = Account::seeded("ec2_networkacl_allow_ingress");
    let scan = account.scan(&["--checks", &format!("{ANY},{SSH},{RDP}")]);

    // (NACL name, any port, tcp 22, tcp 3389)
    let expected = [
        ("\"deny-ssh-first\"", "FAIL", "PASS", "FAIL"),
        ("\"locked-down\"", "PASS", "PASS", "PASS"),
        ("\"ipv6-open\"", "FAIL", "FAIL", "FAIL"),
        ("\"deny-all-first\"", "PASS", "PASS", "PASS"),
        ("\"rdp-range\"", "PASS", "PASS", "FAIL"),
    ];
    for (acl, any, ssh, rdp) in expected {
        assert_eq!(scan.status_of(ANY, acl), any, "{acl} any port");
        assert_eq!(scan.status_of(SSH, acl), ssh, "{acl} tcp 22");
        assert_eq!(scan.status_of(RDP, acl), rdp, "{acl} tcp 3389");
    }

    // The default NACL of every region allows everything.
    for check in [ANY, SSH, RDP] {
        let defaults: Vec<_> = scan
            .findings(check)
            .into_iter()
            .filter(|f| text(&f["message"]).starts_with("default network ACL"))
            .collect();
        assert_eq!(defaults.len(), 3, "{check}");
        assert!(defaults.iter().all(|f| f["status"] == "FAIL"), "{check}: {defaults:#?}");
    }

    let shadowed = text(&scan.finding_mentioning(RDP, "\"deny-ssh-first\"")["message"]);
    assert!(shadowed.contains("inbound rule 100 is the first to match"), "{shadowed}");
}
