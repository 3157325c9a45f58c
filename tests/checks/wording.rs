//! Messages read as English: an article agrees with the word it stands
//! before, and a security group rule that opens every port, all traffic or
//! any one port says which.

use std::path::{Path, PathBuf};

use bulkhead::inventory::ec2::{IpPermission, Protocol, SecurityGroup};
use bulkhead::inventory::iam::PasswordPolicy;

use crate::support::*;

fn messages_of(check: &str, account: &bulkhead::inventory::AccountInventory) -> Vec<String> {
    run(check, account).into_iter().map(|finding| finding.message).collect()
}

fn policy(edit: impl FnOnce(&mut PasswordPolicy)) -> bulkhead::inventory::AccountInventory {
    let mut policy = PasswordPolicy {
        minimum_password_length: Some(14),
        require_symbols: true,
        require_numbers: true,
        require_uppercase_characters: true,
        require_lowercase_characters: true,
        expire_passwords: true,
        max_password_age: Some(90),
        password_reuse_prevention: Some(24),
    };
    edit(&mut policy);
    let mut account = account();
    account.iam.password_policy = Collected::Ok(Some(policy));
    account
}

fn group(ingress: Vec<IpPermission>) -> bulkhead::inventory::AccountInventory {
    account_with(|region| {
        region.ec2.security_groups = Collected::Ok(vec![SecurityGroup { ingress, ..security_group("sg-1") }]);
        region.ec2.network_interfaces = Collected::Ok(Vec::new());
    })
}

#[test]
fn an_article_agrees_with_the_word_after_it() {
    type Weaken = fn(&mut PasswordPolicy);
    let cases: [(&str, Weaken, &str); 4] = [
        ("iam_password_policy_uppercase", |p| p.require_uppercase_characters = false, "an uppercase letter"),
        ("iam_password_policy_lowercase", |p| p.require_lowercase_characters = false, "a lowercase letter"),
        ("iam_password_policy_number", |p| p.require_numbers = false, "a number"),
        ("iam_password_policy_symbol", |p| p.require_symbols = false, "a symbol"),
    ];
    for (check, weaken, class) in cases {
        let messages = messages_of(check, &policy(weaken));
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].ends_with(&format!("does not require {class}.")), "{check}: {}", messages[0]);
    }

    // The class: no message puts "a" or "an" before a word it does not know.
    let article = regex::Regex::new(r#""[^"\n]*\b[Aa]n? \{[^"\n]*""#).unwrap();
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (index, line) in source.lines().enumerate() {
            if let Some(literal) = article.find(line) {
                found.push(format!("{}:{}: {}", file.display(), index + 1, literal.as_str()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "an article before an interpolated word, which may need the other one:\n{}",
        found.join("\n")
    );
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn a_rule_is_described_by_what_it_opens() {
    const ANY: &str = "ec2_securitygroup_allow_ingress_from_internet_to_any_port";
    const ALL: &str = "ec2_securitygroup_allow_ingress_from_internet_to_all_ports";
    const SSH: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";
    const HIGH_RISK: &str = "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports";
    let subject = "Security group sg-1 (sg-1-name) ";
    let cases = [
        // The any-port check names the one port a rule opens, not "any port".
        (ANY, permission(Protocol::Tcp, Some((22, 22)), "0.0.0.0/0"), "allows tcp 22 from 0.0.0.0/0"),
        (ANY, permission(Protocol::Udp, Some((53, 60)), "::/0"), "allows udp 53-60 from ::/0"),
        (ANY, permission(Protocol::Icmp, Some((-1, -1)), "0.0.0.0/0"), "allows all icmp from 0.0.0.0/0"),
        (ANY, permission(Protocol::Icmp, Some((8, 0)), "0.0.0.0/0"), "allows icmp type 8 code 0 from 0.0.0.0/0"),
        (ANY, permission(Protocol::Number(47), None, "0.0.0.0/0"), "allows protocol 47 from 0.0.0.0/0"),
        (ANY, permission(Protocol::All, None, "0.0.0.0/0"), "allows all traffic from 0.0.0.0/0"),
        // Every TCP port is not all traffic.
        (ALL, permission(Protocol::Tcp, Some((0, 65535)), "0.0.0.0/0"), "allows every tcp port from 0.0.0.0/0"),
        (ALL, permission(Protocol::Tcp, None, "0.0.0.0/0"), "allows every tcp port from 0.0.0.0/0"),
        (ALL, permission(Protocol::All, None, "::/0"), "allows all traffic from ::/0"),
        // A one-port check names its port, then the rule that opens it.
        (
            SSH,
            permission(Protocol::Tcp, Some((0, 65535)), "0.0.0.0/0"),
            "allows TCP port 22 (SSH) from 0.0.0.0/0 (rule: every tcp port)",
        ),
        (
            SSH,
            permission(Protocol::Tcp, Some((20, 30)), "0.0.0.0/0"),
            "allows TCP port 22 (SSH) from 0.0.0.0/0 (rule: tcp 20-30)",
        ),
        (
            HIGH_RISK,
            permission(Protocol::Tcp, Some((3306, 3306)), "0.0.0.0/0"),
            "allows high-risk ports from the internet: TCP 3306 from 0.0.0.0/0 (rule: tcp 3306)",
        ),
    ];
    for (check, rule, expected) in cases {
        let messages = messages_of(check, &group(vec![rule.clone()]));
        let attachment = "; not attached to any network interface.";
        assert_eq!(messages, [format!("{subject}{expected}{attachment}")], "{check} on {rule:?}");
    }
}
