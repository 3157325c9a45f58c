//! Does a resource policy let anyone in? Reads the policy JSON defensively:
//! AWS stores what it was given, and a policy of a shape we do not understand
//! is an error for that one resource, never a pass.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy is not valid JSON: {0}")]
    NotJson(String),
    #[error("the policy has an unexpected shape: {0}")]
    UnexpectedShape(String),
}

/// An `Allow` statement open to any principal with nothing narrowing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicGrant {
    /// The statement's `Sid`, or its position (`#1` is the first).
    pub statement: String,
    pub actions: Vec<String>,
}

/// Condition keys that, compared for equality against known values, narrow
/// a wildcard principal to known accounts or organisations.
const NARROWING_KEYS: [&str; 6] = [
    "aws:sourceaccount",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:sourcearn",
    "aws:principalarn",
    "aws:sourceowner",
];

const NARROWING_OPERATORS: [&str; 5] = ["StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"];

pub fn public_grants(policy: &str) -> Result<Vec<PublicGrant>, PolicyError> {
    let mut grants = Vec::new();
    for (label, statement) in labelled_statements(policy)? {
        if is_public_allow(&statement, &label)? {
            grants.push(PublicGrant { actions: strings(statement.get("Action")), statement: label });
        }
    }
    Ok(grants)
}

/// A statement of a policy, with its `Sid` or position (`#1` is the first)
/// to name it by.
type LabelledStatement = (String, Map<String, Value>);

/// The statements of a policy document, in order.
fn labelled_statements(policy: &str) -> Result<Vec<LabelledStatement>, PolicyError> {
    let document: Value = serde_json::from_str(policy).map_err(|err| PolicyError::NotJson(err.to_string()))?;
    let Value::Object(mut document) = document else {
        return Err(shape("the document is not a JSON object"));
    };
    let statements = match document.remove("Statement") {
        Some(Value::Array(statements)) => statements,
        Some(statement @ Value::Object(_)) => vec![statement],
        Some(_) => return Err(shape("Statement is neither an object nor a list")),
        None => return Err(shape("there is no Statement")),
    };
    statements
        .into_iter()
        .enumerate()
        .map(|(index, statement)| {
            let Value::Object(statement) = statement else {
                return Err(shape(format!("statement #{} is not an object", index + 1)));
            };
            let label = match statement.get("Sid") {
                Some(Value::String(sid)) if !sid.is_empty() => sid.clone(),
                _ => format!("#{}", index + 1),
            };
            Ok((label, statement))
        })
        .collect()
}

/// An `Allow` statement that lets in accounts outside a trusted set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignGrant {
    pub statement: String,
    /// The untrusted account ids, or `*` for any principal with nothing narrowing it.
    pub accounts: Vec<String>,
}

/// The `Allow` statements that grant access to AWS accounts not in
/// `trusted`: named accounts (`123456789012`, `arn:aws:iam::123456789012:...`)
/// and any principal (`*`, `NotPrincipal`) with no narrowing condition.
/// Service and federated principals are not accounts and do not count.
pub fn untrusted_account_grants(policy: &str, trusted: &[&str]) -> Result<Vec<ForeignGrant>, PolicyError> {
    let mut grants = Vec::new();
    for (label, statement) in labelled_statements(policy)? {
        let statement = &statement;
        if is_public_allow(statement, &label)? {
            grants.push(ForeignGrant { statement: label, accounts: vec!["*".to_owned()] });
            continue;
        }
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let mut accounts: Vec<String> = aws_principals(statement.get("Principal"))
            .into_iter()
            .filter_map(account_of_principal)
            .filter(|account| !trusted.contains(&account.as_str()))
            .collect();
        accounts.sort();
        accounts.dedup();
        if !accounts.is_empty() {
            grants.push(ForeignGrant { statement: label, accounts });
        }
    }
    Ok(grants)
}

fn aws_principals(principal: Option<&Value>) -> Vec<&str> {
    match principal.and_then(|principal| principal.get("AWS")) {
        Some(Value::String(value)) => vec![value.as_str()],
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `123456789012` or `arn:<partition>:(iam|sts)::123456789012:...`.
fn account_of_principal(principal: &str) -> Option<String> {
    let is_account = |text: &str| text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit());
    if is_account(principal) {
        return Some(principal.to_owned());
    }
    let account = principal.strip_prefix("arn:")?.split(':').nth(3)?;
    is_account(account).then(|| account.to_owned())
}

fn is_public_allow(statement: &Map<String, Value>, label: &str) -> Result<bool, PolicyError> {
    match statement.get("Effect") {
        Some(Value::String(effect)) if effect == "Allow" => {}
        Some(Value::String(effect)) if effect == "Deny" => return Ok(false),
        _ => return Err(shape(format!("statement {label} has no Effect of Allow or Deny"))),
    }
    let anyone = match (statement.get("Principal"), statement.get("NotPrincipal")) {
        // Allow with NotPrincipal allows everyone but the listed principals.
        (_, Some(_)) => true,
        (Some(principal), None) => principal_is_anyone(principal, label)?,
        (None, None) => return Err(shape(format!("statement {label} names no Principal"))),
    };
    if !anyone {
        return Ok(false);
    }
    Ok(!condition_narrows(statement.get("Condition"), label)?)
}

fn principal_is_anyone(principal: &Value, label: &str) -> Result<bool, PolicyError> {
    match principal {
        Value::String(value) => Ok(value == "*"),
        Value::Object(kinds) => {
            for (kind, value) in kinds {
                let values = match value {
                    Value::String(value) => vec![value.as_str()],
                    Value::Array(values) => values
                        .iter()
                        .map(|value| {
                            value
                                .as_str()
                                .ok_or_else(|| shape(format!("statement {label}: a {kind} principal is not a string")))
                        })
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(shape(format!(
                            "statement {label}: the {kind} principal is neither a string nor a list"
                        )));
                    }
                };
                if values.contains(&"*") {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(shape(format!("statement {label}: Principal is neither \"*\" nor an object"))),
    }
}

fn condition_narrows(condition: Option<&Value>, label: &str) -> Result<bool, PolicyError> {
    let Some(condition) = condition else {
        return Ok(false);
    };
    let Value::Object(operators) = condition else {
        return Err(shape(format!("statement {label}: Condition is not an object")));
    };
    for (operator, tests) in operators {
        let Value::Object(tests) = tests else {
            return Err(shape(format!("statement {label}: condition {operator} is not an object")));
        };
        // `ForAllValues:` is true for a missing key, and `...IfExists` too: neither narrows.
        let base = operator.strip_prefix("ForAnyValue:").unwrap_or(operator);
        if !NARROWING_OPERATORS.contains(&base) {
            continue;
        }
        for (key, values) in tests {
            let key = key.to_ascii_lowercase();
            if NARROWING_KEYS.contains(&key.as_str()) && names_specific_values(&key, values) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// True when every value pins a specific account, organisation or ARN.
fn names_specific_values(key: &str, values: &Value) -> bool {
    let values: Vec<String> = match values {
        Value::String(value) => vec![value.clone()],
        Value::Number(number) => vec![number.to_string()],
        Value::Array(values) => values
            .iter()
            .map(|value| match value {
                Value::String(value) => Some(value.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            })
            .collect::<Option<_>>()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    !values.is_empty() && values.iter().all(|value| is_specific(key, value))
}

fn is_specific(key: &str, value: &str) -> bool {
    let has_wildcard = |text: &str| text.contains('*') || text.contains('?');
    match key {
        "aws:sourcearn" | "aws:principalarn" => {
            // arn:partition:service:region:account:resource — the account must be pinned.
            let parts: Vec<&str> = value.splitn(6, ':').collect();
            parts.len() == 6 && parts[0] == "arn" && !parts[4].is_empty() && !has_wildcard(parts[4])
        }
        _ => !value.is_empty() && !has_wildcard(value),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(value)) => vec![value.clone()],
        Some(Value::Array(values)) => values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

fn shape(reason: impl Into<String>) -> PolicyError {
    PolicyError::UnexpectedShape(reason.into())
}

#[cfg(test)]
mod untrusted_account_tests {
    use super::*;

    #[test]
    fn named_foreign_accounts_and_wildcards_are_untrusted() {
        let policy = r#"{"Statement": [
            {"Sid": "Own", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "ecr:*"},
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": ["444455556666", "arn:aws:iam::777788889999:role/ci"]}, "Action": "ecr:BatchGetImage"},
            {"Sid": "Svc", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "ecr:BatchGetImage"},
            {"Sid": "Deny", "Effect": "Deny", "Principal": {"AWS": "999999999999"}, "Action": "ecr:*"},
            {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}
        ]}"#;
        let grants = untrusted_account_grants(policy, &["111122223333", "777788889999"]).unwrap();
        assert_eq!(
            grants,
            [
                ForeignGrant { statement: "Partner".into(), accounts: vec!["444455556666".into()] },
                ForeignGrant { statement: "Anyone".into(), accounts: vec!["*".into()] },
            ]
        );
        assert!(untrusted_account_grants("nope", &[]).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(principal: &str, condition: &str) -> String {
        let condition = if condition.is_empty() { String::new() } else { format!(r#","Condition":{condition}"#) };
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S","Effect":"Allow","Principal":{principal},"Action":"ecr:BatchGetImage"{condition}}}]}}"#
        )
    }

    fn is_public(policy: &str) -> bool {
        !public_grants(policy).unwrap().is_empty()
    }

    #[test]
    fn every_spelling_of_anyone_is_public() {
        assert!(is_public(&statement(r#""*""#, "")));
        assert!(is_public(&statement(r#"{"AWS":"*"}"#, "")));
        assert!(is_public(&statement(r#"{"AWS":["arn:aws:iam::111122223333:root","*"]}"#, "")));
    }

    #[test]
    fn named_principals_are_not_public() {
        assert!(!is_public(&statement(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, "")));
        assert!(!is_public(&statement(r#"{"Service":"codebuild.amazonaws.com"}"#, "")));
    }

    #[test]
    fn equality_conditions_on_account_or_org_narrow() {
        for condition in [
            r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
            r#"{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#,
            r#"{"StringEquals":{"aws:PrincipalAccount":["111122223333","444455556666"]}}"#,
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}"#,
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:codebuild:eu-west-1:111122223333:project/x"}}"#,
        ] {
            assert!(!is_public(&statement(r#""*""#, condition)), "{condition}");
        }
    }

    #[test]
    fn conditions_that_do_not_narrow_stay_public() {
        for condition in [
            r#"{"StringLike":{"aws:PrincipalOrgID":"*"}}"#,
            r#"{"StringEqualsIfExists":{"aws:SourceAccount":"111122223333"}}"#,
            r#"{"ForAllValues:StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#,
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"}}"#,
            r#"{"StringEquals":{"aws:UserAgent":"curl"}}"#,
            r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
            r#"{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}"#,
        ] {
            assert!(is_public(&statement(r#""*""#, condition)), "{condition}");
        }
    }

    #[test]
    fn deny_statements_and_not_principal() {
        let deny = r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*"}}"#;
        assert!(public_grants(deny).unwrap().is_empty());
        let not_principal =
            r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"*"}}"#;
        assert_eq!(public_grants(not_principal).unwrap()[0].statement, "#1");
    }

    #[test]
    fn malformed_policies_are_errors() {
        assert!(matches!(public_grants("not json"), Err(PolicyError::NotJson(_))));
        assert!(matches!(public_grants("[]"), Err(PolicyError::UnexpectedShape(_))));
        assert!(matches!(public_grants(r#"{"Statement":"x"}"#), Err(PolicyError::UnexpectedShape(_))));
        assert!(matches!(public_grants(&statement("42", "")), Err(PolicyError::UnexpectedShape(_))));
        assert!(matches!(public_grants(&statement(r#""*""#, r#""x""#)), Err(PolicyError::UnexpectedShape(_))));
        assert!(matches!(
            public_grants(r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#),
            Err(PolicyError::UnexpectedShape(_))
        ));
    }

    #[test]
    fn many_statements_are_read_in_full() {
        let mut statements: Vec<String> = (0..10_000)
            .map(|i| format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{i:012}:root"}},"Action":"*"}}"#))
            .collect();
        statements.push(r#"{"Sid":"Last","Effect":"Allow","Principal":"*","Action":"*"}"#.to_owned());
        let policy = format!(r#"{{"Statement":[{}]}}"#, statements.join(","));
        assert_eq!(public_grants(&policy).unwrap()[0].statement, "Last");
    }
}
