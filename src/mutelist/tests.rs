use super::*;
use crate::severity::Status;

fn parse(text: &str) -> Result<Mutelist, MutelistError> {
    Mutelist::parse(Path::new("mute.yaml"), text)
}

fn finding(check: &str, region: &str, resource: &str) -> ReportFinding {
    ReportFinding {
        check_id: check.into(),
        title: String::new(),
        severity: crate::severity::Severity::High,
        status: Status::Fail,
        muted: false,
        mute_reason: None,
        account_id: "111122223333".into(),
        region: region.into(),
        service: "ec2".into(),
        resource_type: String::new(),
        resource_id: resource.into(),
        resource_arn: format!("arn:aws:ec2:{region}:111122223333:security-group/{resource}"),
        message: "m".into(),
        compliance: Default::default(),
        resource_name: resource.into(),
        resource_tags: Default::default(),
        resource_details: String::new(),
        failing_since: None,
    }
}

fn muted(list: &Mutelist, finding: &ReportFinding, tags: &[(&str, &str)], today: &str) -> Option<String> {
    let mut finding = finding.clone();
    finding.resource_tags = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    list.apply(&mut finding, Date::parse(today).unwrap());
    assert_eq!(finding.muted, finding.mute_reason.is_some());
    finding.mute_reason
}

const PROWLER_EXAMPLE: &str = r#"
Mutelist:
  Accounts:
    "111122223333":
      Checks:
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22":
          Regions: ["eu-west-1"]
          Resources: ["sg-1", "sg-2"]
        "ec2_networkacl_*":
          Regions: ["*"]
          Resources: ["*"]
          Description: "every NACL check"
    "*":
      Checks:
        "*":
          Regions: ["*"]
          Resources: ["bastion"]
          Tags: ["team=ops", "env=prod|env=stage"]
          Exceptions:
            Regions: ["us-east-1"]
          Reason: "bastions are reviewed quarterly"
          Expires: 2030-01-31
"#;

#[test]
fn reads_prowler_mutelists_and_mutes_like_prowler() {
    let list = parse(PROWLER_EXAMPLE).unwrap();
    let today = "2026-06-01";
    let ssh = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";
    assert!(muted(&list, &finding(ssh, "eu-west-1", "sg-1"), &[], today).is_some());
    assert!(muted(&list, &finding(ssh, "us-east-1", "sg-1"), &[], today).is_none());
    assert!(muted(&list, &finding(ssh, "eu-west-1", "sg-3"), &[], today).is_none());
    // A check key is a regex; the Description is the reason when there is no Reason.
    let nacl = finding("ec2_networkacl_allow_ingress_any_port", "ap-southeast-2", "acl-1");
    assert_eq!(muted(&list, &nacl, &[], today).as_deref(), Some("every NACL check"));
    let mut other_account = nacl.clone();
    other_account.account_id = "444455556666".into();
    assert!(muted(&list, &other_account, &[], today).is_none());

    // Tags are ANDed; "|" inside one pattern is an OR.
    let bastion = finding("ecr_images_signed", "eu-west-1", "bastion-sg");
    let reason = Some("bastions are reviewed quarterly".to_owned());
    assert_eq!(muted(&list, &bastion, &[("team", "ops"), ("env", "stage")], today), reason);
    assert!(muted(&list, &bastion, &[("team", "ops")], today).is_none());
    assert!(muted(&list, &bastion, &[("team", "dev"), ("env", "prod")], today).is_none());
    // An exception un-mutes.
    let excepted = finding("ecr_images_signed", "us-east-1", "bastion-sg");
    assert!(muted(&list, &excepted, &[("team", "ops"), ("env", "prod")], today).is_none());
}

#[test]
fn an_entry_mutes_through_its_expiry_day_and_not_after() {
    let list = parse(PROWLER_EXAMPLE).unwrap();
    let bastion = finding("ecr_images_signed", "eu-west-1", "bastion");
    let tags = [("team", "ops"), ("env", "prod")];
    assert!(muted(&list, &bastion, &tags, "2030-01-31").is_some());
    assert!(muted(&list, &bastion, &tags, "2030-02-01").is_none());
    let summary = list.summary(Date::parse("2030-02-01").unwrap());
    assert_eq!(summary.entries, 3);
    assert_eq!(summary.expired.len(), 1);
    assert_eq!(summary.expired[0].expires, "2030-01-31");
    assert_eq!(summary.expired[0].account, "*");
    assert!(list.summary(Date::parse("2030-01-31").unwrap()).expired.is_empty());
}

#[test]
fn errors_name_the_file_line_and_key() {
    let cases = [
        ("Mutelist: [", "mute.yaml"),
        (
            "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n          Reasn: x\n",
            "unknown field `Reasn`",
        ),
        (
            "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"(unclosed\"]\n",
            "\"(unclosed\" is not a valid regular expression",
        ),
        (
            "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n          Expires: 2026-02-30\n",
            "\"2026-02-30\" is not a date",
        ),
        (
            "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Resources: [\"*\"]\n",
            "missing field `Regions`",
        ),
        ("Allowlist: {}\n", "unknown field `Allowlist`"),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap_err().to_string();
        assert!(err.starts_with("mutelist mute.yaml"), "{err}");
        assert!(err.contains(expected), "{expected:?} not in {err:?}");
    }
    let err = parse(cases[2].0).unwrap_err();
    assert_eq!(err.location.map(|(line, _)| line), Some(7), "{err}");
    assert!(err.message.contains("Resources"), "the key path is named: {err}");
    let err = parse(cases[3].0).unwrap_err();
    assert_eq!(err.location.map(|(line, _)| line), Some(8), "{err}");
    assert!(err.message.contains("Expires"), "{err}");
}

#[test]
fn unquoted_account_ids_and_patterns() {
    let list = parse("Mutelist:\n  Accounts:\n    111122223333:\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n").unwrap();
    assert_eq!(list.entries[0].account, "111122223333");
    assert!(Pattern::new("*").unwrap().is_match(""));
    assert!(Pattern::new("*-prod").unwrap().is_match("web-prod"));
    assert!(Pattern::new("sg-1").unwrap().is_match("sg-123"), "unanchored, as Prowler's re.search");
}

#[test]
fn dates() {
    assert_eq!(Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
    for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-01-01T00:00:00Z", "tomorrow"] {
        assert!(Date::parse(bad).is_none(), "{bad}");
    }
    assert!(Date::today() > Date::parse("2025-01-01").unwrap());
}

mod limits {
    use super::*;

    fn limits(entries: usize, patterns: usize) -> Limits {
        Limits { entries, patterns, text_bytes: MAX_FILE_BYTES }
    }

    fn entries(count: usize) -> String {
        let mut text = "Mutelist:\n  Accounts:\n    \"111122223333\":\n      Checks:\n".to_owned();
        for n in 0..count {
            text += &format!("        \"check_{n}\":\n          Regions: [\"*\"]\n          Resources: [\"sg-{n}\"]\n");
        }
        text
    }

    #[test]
    fn a_file_larger_than_the_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.yaml");
        // Sparse: it takes no disk, and bulkhead should not read it to know.
        std::fs::File::create(&path).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
        let err = Mutelist::load(&path).unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with(&format!("mutelist {}", path.display())), "{message}");
        assert!(message.contains("larger than 64 MiB"), "{message}");

        std::fs::File::create(&path).unwrap().set_len(0).unwrap();
        std::fs::write(&path, entries(2)).unwrap();
        assert_eq!(Mutelist::load(&path).unwrap().entries.len(), 2, "a file within the limit is read");
    }

    #[test]
    fn too_many_entries_or_patterns_are_refused_where_they_overflow() {
        let list = Mutelist::parse_within(Path::new("mute.yaml"), &entries(3), limits(3, 100)).unwrap();
        assert_eq!(list.entries.len(), 3);
        let err = Mutelist::parse_within(Path::new("mute.yaml"), &entries(4), limits(3, 100)).unwrap_err();
        assert!(err.to_string().contains("more than 3 entries"), "{err}");
        assert_eq!(err.location.map(|(line, _)| line), Some(5), "the account's checks: {err}");
        assert!(err.message.contains("Accounts.111122223333.Checks"), "{err}");
        // Each entry has a check key, a region and a resource.
        let err = Mutelist::parse_within(Path::new("mute.yaml"), &entries(4), limits(10, 11)).unwrap_err();
        assert!(err.to_string().contains("more than 11 patterns"), "{err}");
    }

    #[test]
    fn aliases_count_as_often_as_they_are_used() {
        // One 1 MiB reason, anchored once and named by 100 entries: 100 MiB
        // of text once the aliases are read, from a file of 1 MiB.
        let reason = "x".repeat(1 << 20);
        let mut text = format!(
            "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"c0\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n          Reason: &reason \"{reason}\"\n"
        );
        for n in 1..100 {
            text += &format!(
                "        \"c{n}\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n          Reason: *reason\n"
            );
        }
        let err = parse(&text).unwrap_err();
        assert!(err.to_string().contains("more than 64 MiB of text"), "{err}");

        // Aliases within the limits are read as YAML has them.
        let shared = "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"a\":\n          Regions: &everywhere [\"*\"]\n          Resources: [\"*\"]\n        \"b\":\n          Regions: *everywhere\n          Resources: [\"sg-1\"]\n";
        let list = parse(shared).unwrap();
        assert!(muted(&list, &finding("b", "eu-west-1", "sg-1"), &[], "2026-06-01").is_some());
    }
}

mod index {
    use super::*;
    use proptest::prelude::*;

    const SSH: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";

    const LIST: &str = r#"
Mutelist:
  Accounts:
    "111122223333":
      Checks:
        "ecr_images_signed":
          Regions: ["*"]
          Resources: ["repo-a"]
          Reason: "0"
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22":
          Regions: ["*"]
          Resources: ["sg-1"]
          Reason: "1"
        "ec2_.*":
          Regions: ["*"]
          Resources: ["sg-"]
          Reason: "2"
        "tcp_port_22":
          Regions: ["*"]
          Resources: ["sg-1"]
          Reason: "3"
    "444455556666":
      Checks:
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22":
          Regions: ["*"]
          Resources: ["*"]
          Reason: "4"
    "*":
      Checks:
        "ecr_.*":
          Regions: ["*"]
          Resources: ["*"]
          Reason: "5"
        "*":
          Regions: ["us-east-1"]
          Resources: ["*"]
          Reason: "6"
"#;

    #[test]
    fn a_finding_is_tried_only_against_its_accounts_entries_for_its_check() {
        let list = parse(LIST).unwrap();
        // List order: "*" sorts first, so its entries are 0 ("ecr_.*") and 1 ("*").
        let reasons: Vec<&str> = list.entries.iter().map(|entry| entry.reason.as_str()).collect();
        assert_eq!(reasons, ["5", "6", "0", "1", "2", "3", "4"]);
        // The exact check, the regex and the literal found inside it; never
        // the other account's entry or another check's.
        assert_eq!(list.index.candidates("111122223333", SSH), [1, 3, 4, 5]);
        assert_eq!(list.index.candidates("111122223333", "ecr_images_signed"), [0, 1, 2]);
        assert_eq!(list.index.candidates("444455556666", SSH), [1, 6]);
        assert_eq!(list.index.candidates("777788889999", "iam_root_mfa_enabled"), [1]);
    }

    #[test]
    fn the_first_entry_in_list_order_mutes() {
        let list = parse(LIST).unwrap();
        let today = "2026-06-01";
        let mut ssh = finding(SSH, "eu-west-1", "sg-1");
        assert_eq!(muted(&list, &ssh, &[], today).as_deref(), Some("1"));
        ssh.region = "us-east-1".into();
        assert_eq!(muted(&list, &ssh, &[], today).as_deref(), Some("6"), "the `*` account's entries come first");
        let other = finding(SSH, "eu-west-1", "sg-7");
        assert_eq!(muted(&list, &other, &[], today).as_deref(), Some("2"));
        let mut elsewhere = finding(SSH, "eu-west-1", "sg-7");
        elsewhere.account_id = "444455556666".into();
        assert_eq!(muted(&list, &elsewhere, &[], today).as_deref(), Some("4"));
        let image = finding("ecr_images_signed", "eu-west-1", "repo-a");
        assert_eq!(muted(&list, &image, &[], today).as_deref(), Some("5"));
    }

    #[test]
    fn literal_patterns_compile_no_regex() {
        for literal in ["sg-0abc", "eu-west-1", "*-prod", "*", "", "arn:aws:ecr:eu-west-1:111122223333:repository/a"] {
            assert!(!Pattern::new(literal).unwrap().is_regex(), "{literal:?}");
        }
        for regex in [".*", "eu-.*", "sg-1[0-9]", "^sg", "*-prod$", "a|b", "ec2_networkacl_*"] {
            let pattern = Pattern::new(regex).unwrap();
            assert!(regex == ".*" || pattern.is_regex(), "{regex:?}");
        }
    }

    /// Matching as the mutelist did before it had an index: every entry in
    /// list order, the first that mutes.
    fn first_by_walking(list: &Mutelist, finding: &ReportFinding, today: Date) -> Option<String> {
        let tags = unroll_tags(&finding.resource_tags);
        list.entries
            .iter()
            .find(|entry| {
                let key = list.index.key(entry.check);
                (entry.account == "*" || entry.account == finding.account_id)
                    && (key.text() == finding.check_id || key.is_match(&finding.check_id))
                    && !entry.expired(today)
                    && entry.covers(finding, &tags)
            })
            .map(|entry| entry.reason.clone())
    }

    fn arbitrary_entry() -> impl Strategy<Value = String> {
        let regions =
            prop::sample::select(vec![r#"["*"]"#, r#"["eu-west-1"]"#, r#"["eu-.*"]"#, r#"["us-east-1", "eu-west-1"]"#]);
        let resources = prop::sample::select(vec![r#"["*"]"#, r#"["sg-1"]"#, r#"["sg-1[0-9]"]"#, r#"["bastion"]"#]);
        let extra = prop::sample::select(vec![
            "",
            "          Expires: 2026-01-01\n",
            "          Exceptions: {Regions: [\"us-east-1\"]}\n",
            "          Tags: [\"team=ops\"]\n",
        ]);
        (regions, resources, extra).prop_map(|(regions, resources, extra)| {
            format!("          Regions: {regions}\n          Resources: {resources}\n{extra}")
        })
    }

    fn arbitrary_list() -> impl Strategy<Value = String> {
        let keys = vec![
            "*",
            ".*",
            "ecr_images_signed",
            "images_signed",
            "ecs_running_tasks_images_signed",
            "ec2_.*",
            "^ecr",
            "signed$",
            "*_signed",
        ];
        let checks = prop::collection::vec((prop::sample::select(keys), arbitrary_entry()), 0..6);
        let accounts = prop::sample::subsequence(vec!["*", "111122223333", "444455556666"], 0..=3);
        (accounts, prop::collection::vec(checks, 3)).prop_map(|(accounts, checks)| {
            let mut text = "Mutelist:\n  Accounts:\n".to_owned();
            let mut reason = 0;
            for (account, checks) in accounts.iter().zip(checks) {
                let mut entries = String::new();
                let mut seen = std::collections::BTreeSet::new();
                for (key, entry) in checks.into_iter().filter(|(key, _)| seen.insert(*key)) {
                    entries += &format!("        \"{key}\":\n{entry}          Reason: \"{reason}\"\n");
                    reason += 1;
                }
                let checks = if entries.is_empty() { " {}" } else { "" };
                text += &format!("    \"{account}\":\n      Checks:{checks}\n{entries}");
            }
            text
        })
    }

    fn arbitrary_finding() -> impl Strategy<Value = ReportFinding> {
        let accounts = prop::sample::select(vec!["111122223333", "444455556666", "777788889999"]);
        let checks = prop::sample::select(vec![
            "ecr_images_signed",
            "ecs_running_tasks_images_signed",
            "ec2_securitygroup_default_restrict_traffic",
        ]);
        let regions = prop::sample::select(vec!["eu-west-1", "us-east-1", "ap-southeast-2"]);
        let resources = prop::sample::select(vec!["sg-1", "sg-12", "bastion-x", "other"]);
        (accounts, checks, regions, resources, any::<bool>()).prop_map(|(account, check, region, resource, ops)| {
            let mut finding = finding(check, region, resource);
            finding.account_id = account.into();
            if ops {
                finding.resource_tags.insert("team".into(), "ops".into());
            }
            finding
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn the_index_mutes_as_walking_the_list_does(text in arbitrary_list(), findings in prop::collection::vec(arbitrary_finding(), 1..8)) {
            let list = parse(&text).unwrap();
            let today = Date::parse("2026-06-01").unwrap();
            for finding in findings {
                let mut applied = finding.clone();
                list.apply(&mut applied, today);
                prop_assert_eq!(applied.mute_reason, first_by_walking(&list, &finding, today), "{}", text);
            }
        }

        #[test]
        fn a_literal_pattern_matches_as_its_regex_would(text in "[*]?[a-c.*^$|-]{0,4}", value in "[a-c.-]{0,6}") {
            if let Ok(pattern) = Pattern::new(&text) {
                let source = match text.strip_prefix('*') { Some(rest) => format!(".*{rest}"), None => text.clone() };
                let regex = regex::Regex::new(&source).unwrap();
                prop_assert_eq!(pattern.is_match(&value), regex.is_match(&value));
            }
        }
    }
}
