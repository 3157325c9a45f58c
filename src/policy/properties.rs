//! The evaluator against a brute-force restatement of IAM's rules over a
//! small universe of concrete requests (anonymous; own account
//! 111111111111; trusted 222222222222; untrusted 333333333333; an
//! organization member and a non-member the policies never name; services
//! acting for named and unnamed accounts; each from two source addresses,
//! with and without TLS, for a handful of ECR actions).
//!
//! * Sound: whoever the brute force lets in is covered by some grant.
//! * Exact where it says so: a grant of certainty `All` lets in every
//!   caller of its audience.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{Access, Audience, Certainty, Limits, Source, evaluate};

#[derive(Debug, Clone)]
struct Org {
    id: &'static str,
    path: &'static str,
}

const ORG_A: Org = Org { id: "o-aaaaaaaaaa", path: "o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/" };
const ORG_A_OTHER_OU: Org = Org { id: "o-aaaaaaaaaa", path: "o-aaaaaaaaaa/r-ab12/ou-ab12-22222222/" };
const ORG_B: Org = Org { id: "o-bbbbbbbbbb", path: "o-bbbbbbbbbb/r-cd34/" };

#[derive(Debug, Clone)]
enum Caller {
    Anonymous,
    Iam { account: &'static str, arn: &'static str, org: Option<Org> },
    Service { name: &'static str, source: Option<(&'static str, &'static str, Option<Org>)> },
}

fn callers() -> Vec<Caller> {
    use Caller::{Anonymous, Iam, Service};
    vec![
        Anonymous,
        Iam { account: "111111111111", arn: "arn:aws:iam::111111111111:role/app", org: Some(ORG_A) },
        Iam { account: "111111111111", arn: "arn:aws:iam::111111111111:root", org: Some(ORG_A) },
        Iam { account: "222222222222", arn: "arn:aws:iam::222222222222:role/ci", org: None },
        Iam { account: "222222222222", arn: "arn:aws:iam::222222222222:user/bob", org: Some(ORG_A_OTHER_OU) },
        Iam { account: "333333333333", arn: "arn:aws:iam::333333333333:role/x", org: None },
        Iam { account: "333333333333", arn: "arn:aws:sts::333333333333:federated-user/fed", org: Some(ORG_B) },
        Iam { account: "444444444444", arn: "arn:aws:iam::444444444444:role/app", org: Some(ORG_A_OTHER_OU) },
        Iam { account: "444444444444", arn: "arn:aws:iam::444444444444:role/ci", org: Some(ORG_A) },
        Iam { account: "555555555555", arn: "arn:aws:iam::555555555555:role/app", org: None },
        Iam { account: "666666666666", arn: "arn:aws:iam::666666666666:role/app", org: Some(ORG_B) },
        Service {
            name: "codebuild.amazonaws.com",
            source: Some(("111111111111", "arn:aws:codebuild:eu-west-1:111111111111:project/p", Some(ORG_A))),
        },
        Service {
            name: "codebuild.amazonaws.com",
            source: Some(("333333333333", "arn:aws:codebuild:eu-west-1:333333333333:project/p", None)),
        },
        Service { name: "codebuild.amazonaws.com", source: None },
        Service {
            name: "lambda.amazonaws.com",
            source: Some(("444444444444", "arn:aws:lambda:eu-west-1:444444444444:function:f", Some(ORG_A_OTHER_OU))),
        },
        Service { name: "lambda.amazonaws.com", source: None },
        Service { name: "ecs-tasks.amazonaws.com", source: None },
        Service {
            name: "ecs-tasks.amazonaws.com",
            source: Some(("555555555555", "arn:aws:ecs:eu-west-1:555555555555:task/t", None)),
        },
    ]
}

#[derive(Debug, Clone)]
struct Request {
    caller: Caller,
    ip: &'static str,
    tls: bool,
    action: &'static str,
}

const ACTIONS: [&str; 5] =
    ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:PutImage", "ecr:DeleteRepository", "ecr:ListImages"];

/// `*` and `?` wildcards, the plain recursive way.
fn wild(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| wild(rest, &text[skip..])),
        Some(('?', rest)) => !text.is_empty() && wild(rest, &text[1..]),
        Some((ch, rest)) => text.first() == Some(ch) && wild(rest, &text[1..]),
    }
}

fn like(pattern: &str, text: &str) -> bool {
    wild(&pattern.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>())
}

fn arn_like(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<&str>, Vec<&str>) = (pattern.splitn(6, ':').collect(), text.splitn(6, ':').collect());
    if p.len() != 6 || t.len() != 6 {
        return pattern == "*";
    }
    p.iter().zip(&t).all(|(p, t)| like(p, t))
}

fn in_cidr(cidr: &str, ip: &str) -> bool {
    let to_u32 = |text: &str| text.split('.').fold(0u32, |acc, octet| (acc << 8) | octet.parse::<u32>().unwrap_or(0));
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    let bits: u32 = bits.parse().unwrap_or(32);
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    to_u32(net) & mask == to_u32(ip) & mask
}

/// The request context's value of a key (lower-cased), absent as `None`.
fn context(request: &Request, key: &str) -> Option<Vec<String>> {
    let one = |value: &str| Some(vec![value.to_owned()]);
    match key {
        "aws:sourceip" => return one(request.ip),
        "aws:securetransport" => return one(if request.tls { "true" } else { "false" }),
        _ => {}
    }
    match &request.caller {
        Caller::Anonymous => match key {
            "aws:principalaccount" => one("anonymous"),
            _ => None,
        },
        Caller::Iam { account, arn, org } => match key {
            "aws:principalaccount" => one(account),
            "aws:principalarn" => one(arn),
            "aws:principalorgid" => org.as_ref().and_then(|org| one(org.id)),
            "aws:principalorgpaths" => org.as_ref().and_then(|org| one(org.path)),
            "aws:principalisawsservice" => one("false"),
            _ => None,
        },
        Caller::Service { name, source } => match key {
            "aws:principalisawsservice" => one("true"),
            "aws:principalservicename" => one(name),
            "aws:sourceaccount" => source.as_ref().and_then(|(account, _, _)| one(account)),
            "aws:sourcearn" => source.as_ref().and_then(|(_, arn, _)| one(arn)),
            "aws:sourceorgid" => source.as_ref().and_then(|(_, _, org)| org.as_ref()).and_then(|org| one(org.id)),
            "aws:sourceorgpaths" => source.as_ref().and_then(|(_, _, org)| org.as_ref()).and_then(|org| one(org.path)),
            _ => None,
        },
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(values) => values.iter().flat_map(strings).collect(),
        Value::Bool(flag) => vec![flag.to_string()],
        other => vec![other.to_string()],
    }
}

fn condition_holds(operator: &str, key: &str, values: &[String], request: &Request) -> bool {
    let (set, rest) = match operator.split_once(':') {
        Some((set, rest)) => (Some(set), rest),
        None => (None, operator),
    };
    let (if_exists, base) = match rest.strip_suffix("IfExists") {
        Some(base) => (true, base),
        None => (false, rest),
    };
    let present = context(request, &key.to_ascii_lowercase());
    if base == "Null" {
        return values.iter().any(|value| (value == "true") == present.is_none());
    }
    let (negated, base) = match base {
        "StringNotEquals" => (true, "StringEquals"),
        "StringNotLike" => (true, "StringLike"),
        "ArnNotLike" | "ArnNotEquals" => (true, "ArnLike"),
        "ArnEquals" => (false, "ArnLike"),
        "NotIpAddress" => (true, "IpAddress"),
        other => (false, other),
    };
    let Some(present) = present else {
        return if_exists || set == Some("ForAllValues") || (set.is_none() && negated);
    };
    let matches = |actual: &String| {
        values.iter().any(|value| match base {
            "StringEquals" => actual == value,
            "StringLike" => like(value, actual),
            "ArnLike" => arn_like(value, actual),
            "Bool" => actual.eq_ignore_ascii_case(value),
            "IpAddress" => in_cidr(value, actual),
            other => panic!("the grammar has no {other}"),
        })
    };
    let each = |actual: &String| matches(actual) != negated;
    match set {
        Some("ForAllValues") => present.iter().all(each),
        _ => present.iter().any(each),
    }
}

fn names(principal: &Value, caller: &Caller, not_principal: bool) -> bool {
    if principal == "*" {
        return true;
    }
    let Value::Object(kinds) = principal else { panic!("the grammar has no {principal}") };
    kinds.iter().any(|(kind, values)| {
        strings(values).iter().any(|value| match (kind.as_str(), caller) {
            ("AWS", Caller::Service { .. }) => value == "*",
            ("AWS", Caller::Anonymous) => value == "*",
            ("AWS", Caller::Iam { account, arn, .. }) => {
                let named_account = value.strip_prefix("arn:aws:iam::").and_then(|rest| rest.strip_suffix(":root"));
                match named_account.or((value.len() == 12).then_some(value.as_str())) {
                    // NotPrincipal takes an account ARN for the account's own (root) identity.
                    Some(named) if not_principal => *arn == format!("arn:aws:iam::{named}:root"),
                    Some(named) => named == *account,
                    None => value == "*" || value == arn,
                }
            }
            ("Service", Caller::Service { name, .. }) => value == "*" || value == name,
            _ => false,
        })
    })
}

fn applies(statement: &Value, request: &Request) -> bool {
    let action = request.action.to_ascii_lowercase();
    let action_named = |list: &Value| strings(list).iter().any(|pattern| like(&pattern.to_ascii_lowercase(), &action));
    let action_ok = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(list), None) => action_named(list),
        (None, Some(list)) => !action_named(list),
        _ => panic!("the grammar has one of Action and NotAction"),
    };
    let principal_ok = match (statement.get("Principal"), statement.get("NotPrincipal")) {
        (Some(principal), None) => names(principal, &request.caller, false),
        (None, Some(principal)) => !names(principal, &request.caller, true),
        _ => panic!("the grammar has one of Principal and NotPrincipal"),
    };
    let conditions_ok = match statement.get("Condition") {
        None => true,
        Some(Value::Object(operators)) => operators.iter().all(|(operator, tests)| {
            tests
                .as_object()
                .expect("condition tests")
                .iter()
                .all(|(key, values)| condition_holds(operator, key, &strings(values), request))
        }),
        Some(other) => panic!("the grammar has no condition {other}"),
    };
    action_ok && principal_ok && conditions_ok
}

/// IAM's rule, restated: some ECR action is allowed and not explicitly denied.
fn brute_force(policy: &Value, caller: &Caller, ip: &'static str, tls: bool) -> bool {
    let statements = policy["Statement"].as_array().expect("statements");
    ACTIONS.iter().any(|action| {
        let request = Request { caller: caller.clone(), ip, tls, action };
        let with = |effect: &str| statements.iter().any(|s| s["Effect"] == effect && applies(s, &request));
        with("Allow") && !with("Deny")
    })
}

fn org_of(caller: &Caller) -> Option<&Org> {
    match caller {
        Caller::Iam { org, .. } => org.as_ref(),
        _ => None,
    }
}

fn source_covers(source: &Source, from: &Option<(&'static str, &'static str, Option<Org>)>) -> bool {
    match (source, from) {
        (Source::Any, _) => true,
        (_, None) => false,
        (Source::Account(account), Some((actual, _, _))) => like(account, actual),
        (Source::Organization(org), Some((_, _, Some(actual)))) => like(org, actual.id),
        (Source::OrgPath(path), Some((_, _, Some(actual)))) => like(path, actual.path),
        (Source::Arn(arn), Some((_, actual, _))) => arn_like(arn, actual),
        _ => false,
    }
}

/// The caller belongs to the audience.
fn covers(audience: &Audience, caller: &Caller) -> bool {
    match (audience, caller) {
        (Audience::Anonymous, Caller::Anonymous) => true,
        (Audience::AnyAccount, Caller::Iam { .. }) => true,
        (Audience::Organization(org), _) => org_of(caller).is_some_and(|actual| like(org, actual.id)),
        (Audience::OrgPath(path), _) => org_of(caller).is_some_and(|actual| like(path, actual.path)),
        (Audience::Account(account), Caller::Iam { account: actual, .. }) => like(account, actual),
        (Audience::Principal(arn), Caller::Iam { arn: actual, .. }) => arn_like(arn, actual),
        (Audience::Service { service, source }, Caller::Service { name, source: from }) => {
            (service == "*" || like(service, name)) && source_covers(source, from)
        }
        _ => false,
    }
}

const IPS: [&str; 2] = ["10.1.2.3", "203.0.113.9"];

fn check(policy: &Value) -> Result<(), TestCaseError> {
    let access: Access = match evaluate(&policy.to_string(), &Limits::default()) {
        Ok(access) => access,
        Err(err) => return Err(TestCaseError::fail(format!("a grammar policy is readable: {err}"))),
    };
    for caller in callers() {
        for ip in IPS {
            for tls in [true, false] {
                let admitted = brute_force(policy, &caller, ip, tls);
                let covering: Vec<&Audience> =
                    access.grants.iter().map(|g| &g.audience).filter(|audience| covers(audience, &caller)).collect();
                prop_assert!(
                    !admitted || !covering.is_empty(),
                    "{caller:?} ({ip}, tls {tls}) gets in, but no grant covers it: {}",
                    access.open_to()
                );
                for grant in access.grants.iter().filter(|g| g.certainty == Certainty::All) {
                    prop_assert!(
                        admitted || !covers(&grant.audience, &caller),
                        "{caller:?} ({ip}, tls {tls}) is kept out, yet {:?} claims all of {}",
                        grant.statements,
                        grant.audience
                    );
                }
            }
        }
    }
    Ok(())
}

fn principal() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!("*"),
        json!({"AWS": "*"}),
        json!({"AWS": "111111111111"}),
        json!({"AWS": "arn:aws:iam::222222222222:root"}),
        json!({"AWS": "arn:aws:iam::333333333333:role/x"}),
        json!({"AWS": ["333333333333", "arn:aws:iam::111111111111:role/app"]}),
        json!({"Service": "codebuild.amazonaws.com"}),
        json!({"Service": ["lambda.amazonaws.com"]}),
    ])
}

fn action() -> impl Strategy<Value = (&'static str, Value)> {
    prop::sample::select(vec![
        ("Action", json!("ecr:*")),
        ("Action", json!("*")),
        ("Action", json!("ecr:BatchGetImage")),
        ("Action", json!(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])),
        ("Action", json!("ecr:PutImage")),
        ("Action", json!("s3:GetObject")),
        ("NotAction", json!("ecr:PutImage")),
        ("NotAction", json!(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])),
    ])
}

fn condition() -> impl Strategy<Value = (&'static str, &'static str, Value)> {
    let org = || json!("o-aaaaaaaaaa");
    prop::sample::select(vec![
        ("StringEquals", "aws:PrincipalOrgID", org()),
        ("StringNotEquals", "aws:PrincipalOrgID", org()),
        ("StringEqualsIfExists", "aws:PrincipalOrgID", org()),
        ("StringNotEqualsIfExists", "aws:PrincipalOrgID", org()),
        ("StringNotLike", "aws:PrincipalOrgID", json!("o-a*")),
        ("StringLike", "aws:PrincipalAccount", json!("22222222222?")),
        ("StringNotLike", "aws:PrincipalAccount", json!("11111111111*")),
        ("StringEquals", "aws:PrincipalAccount", json!(["111111111111", "222222222222"])),
        ("StringNotEquals", "aws:PrincipalAccount", json!(["111111111111", "222222222222"])),
        ("ForAllValues:StringEquals", "aws:PrincipalAccount", json!("111111111111")),
        ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", json!(["o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/*"])),
        ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", json!(["o-aaaaaaaaaa/*/ou-ab12-22222222/*"])),
        ("ForAllValues:StringNotLike", "aws:PrincipalOrgPaths", json!(["o-aaaaaaaaaa/*"])),
        ("ForAnyValue:StringNotLike", "aws:PrincipalOrgPaths", json!(["o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/*"])),
        ("ArnLike", "aws:PrincipalArn", json!("arn:aws:iam::111111111111:role/*")),
        ("ArnNotLike", "aws:PrincipalArn", json!("arn:aws:iam::111111111111:role/*")),
        ("ArnLike", "aws:PrincipalArn", json!("arn:aws:iam::*:role/app")),
        ("ArnNotLike", "aws:PrincipalArn", json!(["arn:aws:iam::333333333333:*", "arn:aws:iam::222222222222:role/ci"])),
        ("ArnEquals", "aws:PrincipalArn", json!("arn:aws:iam::222222222222:role/ci")),
        ("ArnNotEquals", "aws:PrincipalArn", json!("arn:aws:iam::222222222222:role/ci")),
        ("StringLike", "aws:PrincipalArn", json!("arn:aws:iam::1111*")),
        ("StringLike", "aws:PrincipalArn", json!("*:role/app")),
        ("StringNotLike", "aws:PrincipalArn", json!("arn:aws:iam::*:role/ci")),
        ("StringEquals", "aws:PrincipalArn", json!("arn:aws:iam::555555555555:role/app")),
        ("StringLike", "aws:SourceArn", json!("arn:aws:lambda:*")),
        ("StringNotLike", "aws:SourceArn", json!("*:444444444444:function:*")),
        ("StringLike", "aws:PrincipalAccount", json!("4444*")),
        ("StringEquals", "aws:SourceAccount", json!("111111111111")),
        ("StringNotEqualsIfExists", "aws:SourceAccount", json!("111111111111")),
        ("StringEquals", "aws:SourceOrgID", org()),
        ("StringNotEqualsIfExists", "aws:SourceOrgID", org()),
        ("ForAnyValue:StringLike", "aws:SourceOrgPaths", json!("o-aaaaaaaaaa/*")),
        ("ArnLike", "aws:SourceArn", json!("arn:aws:codebuild:*:111111111111:project/*")),
        ("Null", "aws:PrincipalOrgID", json!("true")),
        ("Null", "aws:PrincipalOrgID", json!("false")),
        ("Null", "aws:SourceAccount", json!("false")),
        ("Bool", "aws:PrincipalIsAWSService", json!("true")),
        ("BoolIfExists", "aws:PrincipalIsAWSService", json!("false")),
        ("StringEquals", "aws:PrincipalServiceName", json!("codebuild.amazonaws.com")),
        ("IpAddress", "aws:SourceIp", json!("10.0.0.0/8")),
        ("NotIpAddress", "aws:SourceIp", json!("10.0.0.0/8")),
        ("Bool", "aws:SecureTransport", json!("false")),
    ])
}

fn statement() -> impl Strategy<Value = Value> {
    (
        prop::bool::weighted(0.6),
        principal(),
        prop::bool::weighted(0.15),
        action(),
        prop::collection::vec(condition(), 0..3),
    )
        .prop_map(|(allow, principal, not_principal, (action_key, action), conditions)| {
            let mut statement = Map::new();
            statement.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
            statement.insert(if not_principal { "NotPrincipal" } else { "Principal" }.into(), principal);
            statement.insert(action_key.into(), action);
            if !conditions.is_empty() {
                let mut block = Map::new();
                for (operator, key, values) in conditions {
                    let tests = block.entry(operator).or_insert_with(|| json!({}));
                    tests[key] = values;
                }
                statement.insert("Condition".into(), Value::Object(block));
            }
            Value::Object(statement)
        })
}

fn policy(statements: Vec<Value>) -> Value {
    let statements: Vec<Value> = statements
        .into_iter()
        .enumerate()
        .map(|(index, mut statement)| {
            statement["Sid"] = json!(format!("S{index}"));
            statement
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// JSON with the policy grammar's words, nested, in any shape.
fn policy_like_json() -> impl Strategy<Value = Value> {
    let words = prop::sample::select(vec![
        "*",
        "Allow",
        "Deny",
        "Statement",
        "Effect",
        "Principal",
        "NotPrincipal",
        "AWS",
        "Service",
        "Action",
        "NotAction",
        "Condition",
        "StringEquals",
        "ForAnyValue:StringLike",
        "ArnLike",
        "Null",
        "Bool",
        "aws:PrincipalOrgID",
        "aws:PrincipalArn",
        "aws:SourceArn",
        "arn:aws:iam::111122223333:root",
        "o-abc",
        "Sid",
        "",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        words.clone().prop_map(|w| json!(w)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((words.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_the_brute_force(statements in prop::collection::vec(statement(), 1..6)) {
        check(&policy(statements))?;
    }

    #[test]
    fn a_deny_never_makes_a_policy_public(statements in prop::collection::vec(statement(), 1..5), deny in statement(), at in 0usize..6) {
        let before = evaluate(&policy(statements.clone()).to_string(), &Limits::default()).unwrap();
        let mut deny = deny;
        deny["Effect"] = json!("Deny");
        let mut with_deny = statements.clone();
        with_deny.insert(at.min(statements.len()), deny);
        let after = evaluate(&policy(with_deny).to_string(), &Limits::default()).unwrap();
        prop_assert!(before.is_public() || !after.is_public(), "{} -> {}", before.open_to(), after.open_to());
    }

    #[test]
    fn an_unconditional_allow_to_anyone_is_public_without_denies(statements in prop::collection::vec(statement(), 0..5), at in 0usize..6) {
        let mut statements: Vec<Value> = statements.into_iter().filter(|s| s["Effect"] == "Allow").collect();
        let open = json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:*"});
        statements.insert(at.min(statements.len()), open);
        let access = evaluate(&policy(statements).to_string(), &Limits::default()).unwrap();
        prop_assert!(access.is_public());
        prop_assert!(!access.outside(&["111111111111"]).is_empty());
    }

    #[test]
    fn never_panics_on_arbitrary_json(value in policy_like_json()) {
        let _ = evaluate(&value.to_string(), &Limits::default());
        let _ = evaluate(&json!({"Statement": value}).to_string(), &Limits::default());
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in ".{0,200}") {
        let _ = evaluate(&text, &Limits::default());
    }
}

#[test]
fn hostile_policy_shapes_are_errors_or_correct_verdicts() {
    let verdict = |statement: Value| {
        let policy = json!({"Version": "2012-10-17", "Statement": [statement]}).to_string();
        evaluate(&policy, &Limits::default()).map(|access| access.is_public())
    };
    // Principal as a list is not IAM grammar: an error, never a pass.
    assert!(verdict(json!({"Effect": "Allow", "Principal": ["*"], "Action": "*"})).is_err());
    assert!(verdict(json!({"Effect": "Allow", "Principal": {"AWS": {"nested": "*"}}, "Action": "*"})).is_err());
    assert!(verdict(json!({"Effect": "Allow", "Principal": {"AWS": [1, 2]}, "Action": "*"})).is_err());
    // Principal as a map of every kind, as a string.
    assert_eq!(verdict(json!({"Effect": "Allow", "Principal": {"Federated": "*"}, "Action": "*"})), Ok(true));
    assert_eq!(
        verdict(json!({"Effect": "Allow", "Principal": "arn:aws:iam::111122223333:root", "Action": "*"})),
        Ok(false)
    );
    // NotPrincipal with Allow is everyone else; with Deny it grants nothing.
    assert_eq!(
        verdict(json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "*"})),
        Ok(true)
    );
    assert_eq!(
        verdict(json!({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "*"})),
        Ok(false)
    );
    // Operators we do not know never narrow.
    let unknown = json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringEqualsSomeday": {"aws:PrincipalOrgID": "o-1"}}});
    assert_eq!(verdict(unknown), Ok(true));
    // An Effect that is neither Allow nor Deny, or missing.
    assert!(verdict(json!({"Effect": "allow", "Principal": "*", "Action": "*"})).is_err());
    assert!(verdict(json!({"Principal": "*", "Action": "*"})).is_err());
    // Deeply nested junk and huge documents end in an answer.
    // (serde_json stops at 128 levels rather than overflowing the stack.)
    let deep = format!(r#"{{"Statement":{}"*"{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert!(evaluate(&deep, &Limits::default()).is_err());
}
