//! The reference table: one row per pattern the evaluator must read, with
//! the verdict of the public check, of the trusted-accounts check (own
//! account 111111111111, trusted 222222222222), and who the policy is open
//! to. Keys: `anonymous`, `any-account`, `org:ID`, `path:PATH`,
//! `account:ID`, `principal:ARN`, `service:NAME[@account:ID|@org:ID|@path:P|@arn:ARN]`,
//! `federated:P`, `canonical:ID`; a trailing `?` marks a partial grant.

use serde_json::{Value, json};

use super::{Access, Audience, Certainty, Limits, PolicyError, Source, evaluate};

pub(crate) const OWN: &str = "111111111111";
pub(crate) const TRUSTED: &str = "222222222222";
pub(crate) const TRUSTED_LIST: [&str; 2] = [OWN, TRUSTED];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Fail,
    Error,
}

#[derive(Debug)]
pub(crate) struct Row {
    pub name: &'static str,
    pub policy: String,
    pub public: Verdict,
    pub trusted: Verdict,
    pub open_to: Vec<&'static str>,
}

pub(crate) fn key(audience: &Audience) -> String {
    let source = |source: &Source| match source {
        Source::Any => String::new(),
        Source::Account(account) => format!("@account:{account}"),
        Source::Organization(org) => format!("@org:{org}"),
        Source::OrgPath(path) => format!("@path:{path}"),
        Source::Arn(arn) => format!("@arn:{arn}"),
    };
    match audience {
        Audience::Anonymous => "anonymous".to_owned(),
        Audience::AnyAccount => "any-account".to_owned(),
        Audience::Organization(org) => format!("org:{org}"),
        Audience::OrgPath(path) => format!("path:{path}"),
        Audience::Account(account) => format!("account:{account}"),
        Audience::Principal(arn) => format!("principal:{arn}"),
        Audience::Service { service, source: from } => format!("service:{service}{}", source(from)),
        Audience::Federated(provider) => format!("federated:{provider}"),
        Audience::CanonicalUser(id) => format!("canonical:{id}"),
    }
}

pub(crate) fn open_to_keys(access: &Access) -> Vec<String> {
    let mut keys: Vec<String> = access
        .grants
        .iter()
        .map(|grant| {
            let mut text = key(&grant.audience);
            if grant.certainty == Certainty::Some {
                text.push('?');
            }
            text
        })
        .collect();
    keys.sort();
    keys
}

fn statement(sid: &str, effect: &str, principal: Value, action: Value, condition: Option<Value>) -> Value {
    let mut statement = json!({"Sid": sid, "Effect": effect, "Action": action});
    statement[if sid.starts_with("Not") { "NotPrincipal" } else { "Principal" }] = principal;
    if let Some(condition) = condition {
        statement["Condition"] = condition;
    }
    statement
}

fn with_not_action(mut statement: Value, not_action: &str) -> Value {
    if let Some(map) = statement.as_object_mut() {
        map.remove("Action");
        map.insert("NotAction".to_owned(), json!(not_action));
    }
    statement
}

fn allow(principal: Value, condition: Option<Value>) -> Value {
    statement("Grant", "Allow", principal, json!("ecr:*"), condition)
}

fn deny_all(condition: Value) -> Value {
    statement("Perimeter", "Deny", json!("*"), json!("*"), Some(condition))
}

fn doc(statements: Vec<Value>) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn row(name: &'static str, policy: String, public: Verdict, trusted: Verdict, open_to: &[&'static str]) -> Row {
    Row { name, policy, public, trusted, open_to: open_to.to_vec() }
}

const ORG: &str = "o-aaaaaaaaaa";
const OU_PATH: &str = "o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/*";

pub(crate) fn rows() -> Vec<Row> {
    use Verdict::{Error, Fail, Pass};
    let star = || json!("*");
    let anyone = &["any-account", "anonymous", "service:*"][..];
    let mut rows = vec![
        row("Principal \"*\"", doc(vec![allow(star(), None)]), Fail, Fail, anyone),
        row(
            "{\"AWS\": \"*\"}",
            doc(vec![allow(json!({"AWS": "*"}), None)]),
            Fail,
            Fail,
            &["any-account", "anonymous", "service:*?"],
        ),
        row(
            "{\"AWS\": [account, \"*\"]}",
            doc(vec![allow(json!({"AWS": ["arn:aws:iam::111111111111:root", "*"]}), None)]),
            Fail,
            Fail,
            &["any-account", "anonymous", "service:*?"],
        ),
        row("own account by id", doc(vec![allow(json!({"AWS": OWN}), None)]), Pass, Pass, &["account:111111111111"]),
        row(
            "trusted account root ARN",
            doc(vec![allow(json!({"AWS": "arn:aws:iam::222222222222:root"}), None)]),
            Pass,
            Pass,
            &["account:222222222222"],
        ),
        row(
            "untrusted account root ARN",
            doc(vec![allow(json!({"AWS": "arn:aws:iam::444455556666:root"}), None)]),
            Pass,
            Fail,
            &["account:444455556666"],
        ),
        row(
            "untrusted role ARN",
            doc(vec![allow(json!({"AWS": "arn:aws:iam::444455556666:role/ci"}), None)]),
            Pass,
            Fail,
            &["principal:arn:aws:iam::444455556666:role/ci"],
        ),
        row(
            "service principal, no source condition",
            doc(vec![allow(json!({"Service": "codebuild.amazonaws.com"}), None)]),
            Pass,
            Pass,
            &["service:codebuild.amazonaws.com"],
        ),
        row(
            "service principal narrowed by aws:SourceAccount",
            doc(vec![allow(
                json!({"Service": "codebuild.amazonaws.com"}),
                Some(json!({"StringEquals": {"aws:SourceAccount": "444455556666"}})),
            )]),
            Pass,
            Fail,
            &["service:codebuild.amazonaws.com@account:444455556666"],
        ),
        row(
            "* narrowed by aws:PrincipalOrgID",
            doc(vec![allow(star(), Some(json!({"StringEquals": {"aws:PrincipalOrgID": ORG}})))]),
            Pass,
            Fail,
            &["org:o-aaaaaaaaaa"],
        ),
        row(
            "* narrowed by aws:PrincipalOrgPaths (ForAnyValue:StringLike)",
            doc(vec![allow(star(), Some(json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU_PATH]}})))]),
            Pass,
            Fail,
            &["path:o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/*"],
        ),
        row(
            "* narrowed by aws:PrincipalOrgPaths with a wildcard segment",
            doc(vec![allow(
                star(),
                Some(
                    json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-aaaaaaaaaa/*/ou-ab12-11111111/*"]}}),
                ),
            )]),
            Pass,
            Fail,
            &["path:o-aaaaaaaaaa/*/ou-ab12-11111111/*"],
        ),
        row(
            "aws:PrincipalOrgPaths \"*\" narrows to \"in some organization\" only",
            doc(vec![allow(star(), Some(json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "*"}})))]),
            Fail,
            Fail,
            &["any-account?", "service:*?"],
        ),
        row(
            "* narrowed by aws:PrincipalAccount (trusted)",
            doc(vec![allow(star(), Some(json!({"StringEquals": {"aws:PrincipalAccount": TRUSTED}})))]),
            Pass,
            Pass,
            &["account:222222222222"],
        ),
        row(
            "* narrowed by aws:PrincipalAccount (untrusted) is a cross-account grant",
            doc(vec![allow(star(), Some(json!({"StringEquals": {"aws:PrincipalAccount": "444455556666"}})))]),
            Pass,
            Fail,
            &["account:444455556666"],
        ),
        row(
            "* narrowed by aws:SourceAccount",
            doc(vec![allow(star(), Some(json!({"StringEquals": {"aws:SourceAccount": "444455556666"}})))]),
            Pass,
            Fail,
            &["service:*@account:444455556666"],
        ),
        row(
            "* narrowed by aws:SourceOrgID",
            doc(vec![allow(star(), Some(json!({"StringEquals": {"aws:SourceOrgID": ORG}})))]),
            Pass,
            Fail,
            &["service:*@org:o-aaaaaaaaaa"],
        ),
        row(
            "* narrowed by aws:SourceOrgPaths",
            doc(vec![allow(star(), Some(json!({"ForAnyValue:StringLike": {"aws:SourceOrgPaths": OU_PATH}})))]),
            Pass,
            Fail,
            &["service:*@path:o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/*"],
        ),
        row(
            "* narrowed by ArnLike aws:PrincipalArn, * in the resource part after a fixed account",
            doc(vec![allow(
                star(),
                Some(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/*"}})),
            )]),
            Pass,
            Fail,
            &["principal:arn:aws:iam::444455556666:role/*"],
        ),
        row(
            "ArnLike aws:PrincipalArn with * for the account narrows nothing",
            doc(vec![allow(star(), Some(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci"}})))]),
            Fail,
            Fail,
            &["any-account?"],
        ),
        row(
            "StringLike aws:PrincipalArn with a * spanning the account narrows nothing",
            doc(vec![allow(star(), Some(json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*role/ci"}})))]),
            Fail,
            Fail,
            &["any-account?"],
        ),
        row(
            "StringLike aws:PrincipalArn pinning the account prefix",
            doc(vec![allow(star(), Some(json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::4444555566*"}})))]),
            Pass,
            Fail,
            &["account:4444555566*?"],
        ),
        row(
            "StringLike aws:PrincipalAccount \"*\" narrows nothing",
            doc(vec![allow(star(), Some(json!({"StringLike": {"aws:PrincipalAccount": "*"}})))]),
            Fail,
            Fail,
            &["any-account", "anonymous", "service:*?"],
        ),
        row(
            "* narrowed by ArnLike aws:SourceArn",
            doc(vec![allow(
                star(),
                Some(json!({"ArnLike": {"aws:SourceArn": "arn:aws:codebuild:*:444455556666:project/*"}})),
            )]),
            Pass,
            Fail,
            &["service:*@arn:arn:aws:codebuild:*:444455556666:project/*"],
        ),
        row(
            "StringEqualsIfExists aws:SourceAccount narrows only service calls",
            doc(vec![allow(star(), Some(json!({"StringEqualsIfExists": {"aws:SourceAccount": OWN}})))]),
            Fail,
            Fail,
            &["any-account", "anonymous", "service:*?", "service:*@account:111111111111"],
        ),
        row(
            "Deny * wins over Allow *",
            doc(vec![allow(star(), None), statement("No", "Deny", star(), star(), None)]),
            Pass,
            Pass,
            &[],
        ),
        row(
            "Allow * less Deny StringNotEquals aws:PrincipalOrgID",
            doc(vec![allow(star(), None), deny_all(json!({"StringNotEquals": {"aws:PrincipalOrgID": ORG}}))]),
            Pass,
            Fail,
            &["org:o-aaaaaaaaaa"],
        ),
        row(
            "Allow * less Deny StringNotEqualsIfExists aws:PrincipalOrgID",
            doc(vec![allow(star(), None), deny_all(json!({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}))]),
            Pass,
            Fail,
            &["org:o-aaaaaaaaaa"],
        ),
        row(
            "Allow * less Deny ForAllValues:StringNotLike aws:PrincipalOrgPaths",
            doc(vec![
                allow(star(), None),
                deny_all(json!({"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": OU_PATH}})),
            ]),
            Pass,
            Fail,
            &["path:o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/*"],
        ),
        row(
            "Allow * less Deny StringNotEquals aws:PrincipalAccount (trusted only)",
            doc(vec![
                allow(star(), None),
                deny_all(json!({"StringNotEquals": {"aws:PrincipalAccount": [OWN, TRUSTED]}})),
            ]),
            Pass,
            Pass,
            &["account:111111111111", "account:222222222222"],
        ),
        row(
            "Allow * less Deny StringNotEquals aws:PrincipalAccount (untrusted left)",
            doc(vec![
                allow(star(), None),
                deny_all(json!({"StringNotEquals": {"aws:PrincipalAccount": [OWN, "444455556666"]}})),
            ]),
            Pass,
            Fail,
            &["account:111111111111", "account:444455556666"],
        ),
        row(
            "Allow * less Deny StringNotLike aws:PrincipalAccount",
            doc(vec![
                allow(star(), None),
                deny_all(json!({"StringNotLike": {"aws:PrincipalAccount": "22222222222?"}})),
            ]),
            Pass,
            Fail,
            &["account:22222222222?"],
        ),
        row(
            "Allow * less Deny ArnNotLike aws:PrincipalArn",
            doc(vec![
                allow(star(), None),
                deny_all(json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:role/*"}})),
            ]),
            Pass,
            Pass,
            &["principal:arn:aws:iam::222222222222:role/*"],
        ),
        row(
            "Allow * less Deny ArnNotEquals aws:PrincipalArn",
            doc(vec![
                allow(star(), None),
                deny_all(json!({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/ci"}})),
            ]),
            Pass,
            Fail,
            &["principal:arn:aws:iam::444455556666:role/ci"],
        ),
        row(
            "a positive Deny on another organization leaves everyone else",
            doc(vec![allow(star(), None), deny_all(json!({"StringEquals": {"aws:PrincipalOrgID": "o-bbbbbbbbbb"}}))]),
            Fail,
            Fail,
            &["any-account?", "anonymous", "service:*"],
        ),
        row(
            "Null false keeps anonymous and non-members out of the Deny",
            doc(vec![
                allow(star(), None),
                deny_all(
                    json!({"StringNotEquals": {"aws:PrincipalOrgID": ORG}, "Null": {"aws:PrincipalOrgID": "false"}}),
                ),
            ]),
            Fail,
            Fail,
            &["any-account?", "anonymous", "service:*?"],
        ),
        row(
            "identity perimeter exempting AWS services (BoolIfExists aws:PrincipalIsAWSService)",
            doc(vec![
                allow(star(), None),
                deny_all(json!({
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
                })),
            ]),
            Pass,
            Fail,
            &["org:o-aaaaaaaaaa", "service:*"],
        ),
        row(
            "identity and service perimeter",
            doc(vec![
                allow(star(), None),
                deny_all(json!({
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG, "aws:PrincipalAccount": TRUSTED},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
                })),
                statement(
                    "ServicePerimeter",
                    "Deny",
                    star(),
                    star(),
                    Some(json!({
                        "StringNotEqualsIfExists": {"aws:SourceOrgID": ORG},
                        "Null": {"aws:SourceAccount": "false"},
                        "Bool": {"aws:PrincipalIsAWSService": "true"}
                    })),
                ),
            ]),
            Pass,
            Fail,
            &["account:222222222222", "org:o-aaaaaaaaaa", "service:*?", "service:*@org:o-aaaaaaaaaa"],
        ),
        row(
            "an unknown condition on an Allow narrows nothing",
            doc(vec![allow(star(), Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))]),
            Fail,
            Fail,
            &["any-account?", "anonymous?", "service:*?"],
        ),
        row(
            "an unknown condition on a Deny denies no one for sure",
            doc(vec![allow(star(), None), deny_all(json!({"Bool": {"aws:SecureTransport": "false"}}))]),
            Fail,
            Fail,
            &["any-account?", "anonymous?", "service:*?"],
        ),
        row(
            "NotPrincipal in an Allow is everyone else",
            doc(vec![statement(
                "NotOwn",
                "Allow",
                json!({"AWS": "arn:aws:iam::111111111111:root"}),
                json!("ecr:*"),
                None,
            )]),
            Fail,
            Fail,
            &["any-account?", "anonymous", "service:*"],
        ),
        row(
            "NotPrincipal in a Deny keeps (some of) the listed accounts",
            doc(vec![
                allow(star(), None),
                statement(
                    "NotTrusted",
                    "Deny",
                    json!({"AWS": [format!("arn:aws:iam::{OWN}:root"), TRUSTED]}),
                    star(),
                    None,
                ),
            ]),
            Pass,
            Pass,
            &["account:111111111111?", "account:222222222222?"],
        ),
        row(
            "NotAction in an Allow grants",
            doc(vec![with_not_action(allow(star(), None), "ecr:DeleteRepository")]),
            Fail,
            Fail,
            anyone,
        ),
        row(
            "NotAction ecr:* in an Allow grants nothing ECR",
            doc(vec![with_not_action(allow(star(), None), "ecr:*")]),
            Pass,
            Pass,
            &[],
        ),
        row(
            "a Deny of other actions cancels nothing",
            doc(vec![allow(star(), None), statement("NoDelete", "Deny", star(), json!("ecr:DeleteRepository"), None)]),
            Fail,
            Fail,
            anyone,
        ),
        row(
            "a Deny with NotAction covering the Allow cancels it",
            doc(vec![
                statement("Pull", "Allow", star(), json!("ecr:BatchGetImage"), None),
                with_not_action(statement("OnlyPush", "Deny", star(), star(), None), "ecr:PutImage"),
            ]),
            Pass,
            Pass,
            &[],
        ),
        row(
            "ForAllValues on aws:PrincipalAccount (present for every caller) narrows",
            doc(vec![allow(star(), Some(json!({"ForAllValues:StringEquals": {"aws:PrincipalAccount": OWN}})))]),
            Pass,
            Pass,
            &["account:111111111111", "service:*?"],
        ),
        row(
            "Federated \"*\"",
            doc(vec![allow(json!({"Federated": "*"}), None)]),
            Fail,
            Fail,
            &["any-account?", "anonymous?", "service:*?"],
        ),
        row(
            "canonical user",
            doc(vec![allow(
                json!({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}),
                None,
            )]),
            Pass,
            Fail,
            &["canonical:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"],
        ),
        row(
            "registry policy: replication to another account",
            doc(vec![json!({
                "Sid": "Replicate", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                "Resource": "arn:aws:ecr:eu-west-1:111111111111:repository/*"
            })]),
            Pass,
            Fail,
            &["account:444455556666"],
        ),
        row("not JSON", "{".to_owned(), Error, Error, &[]),
        row("Principal as a list", doc(vec![allow(json!(["*"]), None)]), Error, Error, &[]),
        row("no Effect", r#"{"Statement":{"Principal":"*","Action":"*"}}"#.to_owned(), Error, Error, &[]),
        row("too many statements", doc(vec![allow(star(), None); 700]), Error, Error, &[]),
        row("too deep", format!(r#"{{"Statement":{}{{}}{}}}"#, "[".repeat(40), "]".repeat(40)), Error, Error, &[]),
    ];
    // A long policy over the byte limit.
    let accounts: Vec<String> = (0..5000).map(|i| format!("{:012}", 100_000_000_000u64 + i)).collect();
    rows.push(row("over 64 KiB", doc(vec![allow(json!({"AWS": accounts}), None)]), Error, Error, &[]));
    rows
}

#[test]
fn the_reference_table() {
    let limits = Limits::default();
    let mut failures = Vec::new();
    for row in rows() {
        match evaluate(&row.policy, &limits) {
            Err(err) => {
                if row.public != Verdict::Error {
                    failures.push(format!("{}: unexpected error {err}", row.name));
                }
            }
            Ok(access) => {
                let public = if access.is_public() { Verdict::Fail } else { Verdict::Pass };
                let trusted = if access.outside(&TRUSTED_LIST).is_empty() { Verdict::Pass } else { Verdict::Fail };
                let open_to = open_to_keys(&access);
                let mut expected: Vec<String> = row.open_to.iter().map(|s| (*s).to_owned()).collect();
                expected.sort();
                if public != row.public || trusted != row.trusted || open_to != expected {
                    failures.push(format!(
                        "{}: public {public:?} (want {:?}), trusted {trusted:?} (want {:?}), open to {open_to:?} (want {expected:?}); {}",
                        row.name,
                        row.public,
                        row.trusted,
                        access.open_to()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn errors_say_why() {
    let limits = Limits::default();
    assert!(matches!(evaluate("{", &limits), Err(PolicyError::NotJson(_))));
    let deep = format!(r#"{{"Statement":{}"*"{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(evaluate(&deep, &limits), Err(PolicyError::TooComplex(_))));
    let many = doc(vec![allow(json!("*"), None); 501]);
    assert!(matches!(evaluate(&many, &limits), Err(PolicyError::TooComplex(_))));
    let small = Limits { max_classes: 10, ..Limits::default() };
    let named = doc(vec![allow(json!({"AWS": ["111111111111", "222222222222", "333333333333"]}), None)]);
    assert!(
        matches!(evaluate(&named, &small), Err(PolicyError::TooComplex(reason)) if reason.contains("kinds of caller"))
    );
    let slow = Limits { max_work: 10, ..Limits::default() };
    assert!(matches!(evaluate(&named, &slow), Err(PolicyError::TooComplex(reason)) if reason.contains("steps")));
    for hostile in [
        json!({"Effect": "Allow", "Principal": {"AWS": {"nested": "*"}}, "Action": "*"}),
        json!({"Effect": "Allow", "Principal": {"AWS": [1, 2]}, "Action": "*"}),
        json!({"Effect": "Allow", "Principal": {"AWS": "everyone"}, "Action": "*"}),
        json!({"Effect": "Allow", "Principal": {"Someone": "*"}, "Action": "*"}),
        json!({"Effect": "Allow", "Principal": "*"}),
        json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": "x"}),
        json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": {"a": 1}}}}),
        json!({"Effect": "allow", "Principal": "*", "Action": "*"}),
    ] {
        assert!(
            matches!(evaluate(&doc(vec![hostile.clone()]), &limits), Err(PolicyError::UnexpectedShape(_))),
            "{hostile}"
        );
    }
}

#[test]
fn trusted_organizations_and_paths() {
    let limits = Limits::default();
    let org = doc(vec![allow(json!("*"), Some(json!({"StringEquals": {"aws:PrincipalOrgID": ORG}})))]);
    let access = evaluate(&org, &limits).unwrap();
    assert!(access.outside(&[OWN, ORG]).is_empty());
    assert_eq!(access.outside(&[OWN]).len(), 1);
    let path =
        doc(vec![allow(json!("*"), Some(json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": OU_PATH}})))]);
    let access = evaluate(&path, &limits).unwrap();
    assert!(access.outside(&[ORG]).is_empty());
    assert!(access.outside(&["o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/"]).is_empty());
    assert!(!access.outside(&["o-aaaaaaaaaa/r-ab12/ou-ab12-22222222/"]).is_empty());
}

#[test]
fn messages_name_who_and_which_statement() {
    let limits = Limits::default();
    let policy = doc(vec![
        statement("Partner", "Allow", json!({"AWS": "444455556666"}), json!("ecr:BatchGetImage"), None),
        statement(
            "Office",
            "Allow",
            json!("*"),
            json!("ecr:*"),
            Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        ),
        statement("Tls", "Deny", json!("*"), json!("*"), Some(json!({"Bool": {"aws:SecureTransport": "false"}}))),
    ]);
    let access = evaluate(&policy, &limits).unwrap();
    let public = Access::describe(&access.public_grants());
    assert_eq!(
        public,
        "anonymous callers (statement Office; depends on aws:SourceIp, aws:SecureTransport, not evaluated here); \
         any AWS account (statement Office; depends on aws:SourceIp, aws:SecureTransport, not evaluated here)"
    );
    let outside = Access::describe(&access.outside(&TRUSTED_LIST));
    assert!(
        outside.contains(
            "account 444455556666 (statements Partner, Office; depends on aws:SourceIp, aws:SecureTransport, not evaluated here)"
        ),
        "{outside}"
    );
    assert_eq!(access.unproven_denies.len(), 1);
    assert_eq!(access.unproven_denies[0].statement, "Tls");
}
