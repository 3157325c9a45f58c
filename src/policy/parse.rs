//! The policy document read into statements, defensively: a shape we do not
//! understand is an error for that one resource, never a pass; a document
//! beyond the limits is `TooComplex`.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::glob::Glob;
use super::{Limits, PolicyError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

/// One value of a `Principal` / `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalValue {
    /// `"*"` under any kind.
    Star(Kind),
    /// `123456789012` or `arn:...:iam::123456789012:root`.
    Account(String),
    /// A role, user or federated-user ARN (literal; wildcards are not IAM grammar here).
    Arn(String),
    /// `arn:...:sts::123456789012:assumed-role/...`: one session of a role in that account.
    Session {
        account: String,
    },
    /// An IAM unique id (`AROA...`, `AIDA...`): what AWS shows for a deleted principal.
    UniqueId,
    Service(String),
    Federated(String),
    CanonicalUser(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principals {
    /// `"Principal": "*"`.
    Everyone,
    Listed(Vec<PrincipalValue>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    /// `ArnEquals` and `ArnLike` match alike: each of the six parts as a pattern.
    ArnLike,
    Bool,
    Null,
    /// Numeric, Date, IpAddress, Binary: never about who the principal is.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operator {
    Known { base: Base, negated: bool, if_exists: bool, set: Option<SetOp> },
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    /// Its position among all the policy's conditions.
    pub id: usize,
    /// As written, for messages.
    pub operator_name: String,
    pub operator: Operator,
    /// Lower-cased (condition keys are case-insensitive).
    pub key: String,
    /// As written, for messages.
    pub key_name: String,
    pub values: Vec<String>,
    /// The values as the operator reads them, compiled once.
    pub compiled: Vec<Compiled>,
    /// For `StringEquals` / `StringEqualsIgnoreCase` (lower-cased): the
    /// constant values, for one look-up per class.
    pub equal_set: HashSet<String>,
    pub has_variables: bool,
}

/// A condition value ready to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Compiled {
    /// A policy variable (`${...}`): compared with the request, not a constant.
    Variable,
    Literal(String),
    Pattern(Glob),
    /// An ARN pattern split in six, or `None` when the value is not an ARN.
    Arn(Glob, Option<Vec<Glob>>),
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub label: String,
    pub effect: Effect,
    pub principals: Principals,
    pub not_principal: bool,
    /// Lower-cased action patterns.
    pub actions: Vec<Glob>,
    pub not_action: bool,
    /// `None`: no Resource element (a repository policy's own repository).
    pub resources: Option<Vec<Glob>>,
    pub not_resource: bool,
    pub conditions: Vec<Condition>,
}

pub(crate) fn shape(reason: impl Into<String>) -> PolicyError {
    PolicyError::UnexpectedShape(reason.into())
}

fn too_complex(reason: impl Into<String>) -> PolicyError {
    PolicyError::TooComplex(reason.into())
}

/// Nesting depth of the JSON text, counted without parsing (so a hostile
/// document never reaches the parser's recursion).
fn nesting_depth(text: &str, limit: usize) -> Result<(), PolicyError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(too_complex(format!("the policy nests deeper than {limit} levels")));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn parse(policy: &str, limits: &Limits) -> Result<(Vec<Statement>, Value), PolicyError> {
    if policy.len() > limits.max_bytes {
        return Err(too_complex(format!(
            "the policy is {} bytes, more than the {} this evaluator reads",
            policy.len(),
            limits.max_bytes
        )));
    }
    nesting_depth(policy, limits.max_depth)?;
    let document: Value = serde_json::from_str(policy).map_err(|err| PolicyError::NotJson(err.to_string()))?;
    let Value::Object(map) = &document else {
        return Err(shape("the document is not a JSON object"));
    };
    let statements: Vec<&Value> = match map.get("Statement") {
        Some(Value::Array(statements)) => statements.iter().collect(),
        Some(statement @ Value::Object(_)) => vec![statement],
        Some(_) => return Err(shape("Statement is neither an object nor a list")),
        None => return Err(shape("there is no Statement")),
    };
    if statements.len() > limits.max_statements {
        return Err(too_complex(format!(
            "the policy has {} statements, more than the {} this evaluator reads",
            statements.len(),
            limits.max_statements
        )));
    }
    let parsed = statements
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
            parse_statement(statement, label, limits)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut parsed = parsed;
    for (id, condition) in parsed.iter_mut().flat_map(|statement| statement.conditions.iter_mut()).enumerate() {
        condition.id = id;
    }
    Ok((parsed, document))
}

fn parse_statement(statement: &Map<String, Value>, label: String, limits: &Limits) -> Result<Statement, PolicyError> {
    let effect = match statement.get("Effect") {
        Some(Value::String(effect)) if effect == "Allow" => Effect::Allow,
        Some(Value::String(effect)) if effect == "Deny" => Effect::Deny,
        _ => return Err(shape(format!("statement {label} has no Effect of Allow or Deny"))),
    };
    let (principal, not_principal) = match (statement.get("Principal"), statement.get("NotPrincipal")) {
        (Some(_), Some(_)) => return Err(shape(format!("statement {label} has both Principal and NotPrincipal"))),
        (Some(principal), None) => (principal, false),
        (None, Some(principal)) => (principal, true),
        (None, None) => return Err(shape(format!("statement {label} names no Principal"))),
    };
    let principals = parse_principals(principal, &label, limits)?;
    let (actions, not_action) = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(_), Some(_)) => return Err(shape(format!("statement {label} has both Action and NotAction"))),
        (Some(actions), None) => (string_list(actions, &label, "Action", limits)?, false),
        (None, Some(actions)) => (string_list(actions, &label, "NotAction", limits)?, true),
        (None, None) => return Err(shape(format!("statement {label} has no Action or NotAction"))),
    };
    let actions = actions.iter().map(|action| Glob::pattern(&action.to_lowercase())).collect();
    let (resources, not_resource) = match (statement.get("Resource"), statement.get("NotResource")) {
        (Some(_), Some(_)) => return Err(shape(format!("statement {label} has both Resource and NotResource"))),
        (Some(resources), None) => (Some(string_list(resources, &label, "Resource", limits)?), false),
        (None, Some(resources)) => (Some(string_list(resources, &label, "NotResource", limits)?), true),
        (None, None) => (None, false),
    };
    let resources = resources.map(|list| list.iter().map(|resource| Glob::pattern(resource)).collect());
    let conditions = match statement.get("Condition") {
        None => Vec::new(),
        Some(condition) => parse_conditions(condition, &label, limits)?,
    };
    Ok(Statement { label, effect, principals, not_principal, actions, not_action, resources, not_resource, conditions })
}

fn string_list(value: &Value, label: &str, element: &str, limits: &Limits) -> Result<Vec<String>, PolicyError> {
    let values = match value {
        Value::String(value) => vec![value.clone()],
        Value::Array(values) => values
            .iter()
            .map(|value| {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| shape(format!("statement {label}: an element of {element} is not a string")))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(shape(format!("statement {label}: {element} is neither a string nor a list"))),
    };
    check_count(values.len(), label, element, limits)?;
    Ok(values)
}

fn check_count(count: usize, label: &str, element: &str, limits: &Limits) -> Result<(), PolicyError> {
    if count > limits.max_values {
        return Err(too_complex(format!(
            "statement {label}: {element} has {count} values, more than the {} this evaluator reads",
            limits.max_values
        )));
    }
    Ok(())
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// `arn:partition:service:region:account:resource` split in six, or `None`.
pub(crate) fn arn_parts(text: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    (parts.len() == 6 && parts[0] == "arn").then_some(parts)
}

fn parse_principals(principal: &Value, label: &str, limits: &Limits) -> Result<Principals, PolicyError> {
    let kinds = match principal {
        Value::String(value) if value == "*" => return Ok(Principals::Everyone),
        // Not IAM grammar, but what it can only mean: an AWS principal.
        Value::String(_) => {
            let mut map = Map::new();
            map.insert("AWS".to_owned(), principal.clone());
            return parse_principals(&Value::Object(map), label, limits);
        }
        Value::Object(kinds) => kinds,
        _ => return Err(shape(format!("statement {label}: Principal is neither \"*\" nor an object"))),
    };
    let mut listed = Vec::new();
    for (kind_name, value) in kinds {
        let kind = match kind_name.as_str() {
            "AWS" => Kind::Aws,
            "Service" => Kind::Service,
            "Federated" => Kind::Federated,
            "CanonicalUser" => Kind::CanonicalUser,
            other => return Err(shape(format!("statement {label}: unknown principal kind {other:?}"))),
        };
        let values: Vec<&str> = match value {
            Value::String(value) => vec![value.as_str()],
            Value::Array(values) => values
                .iter()
                .map(|value| {
                    value.as_str().ok_or_else(|| {
                        shape(format!("statement {label}: a value of the {kind_name} principal is not a string"))
                    })
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(shape(format!(
                    "statement {label}: the {kind_name} principal is neither a string nor a list"
                )));
            }
        };
        check_count(values.len(), label, "Principal", limits)?;
        for value in values {
            listed.push(principal_value(&kind, value, label)?);
        }
    }
    Ok(Principals::Listed(listed))
}

fn principal_value(kind: &Kind, value: &str, label: &str) -> Result<PrincipalValue, PolicyError> {
    if value == "*" {
        return Ok(PrincipalValue::Star(kind.clone()));
    }
    Ok(match kind {
        Kind::Service => PrincipalValue::Service(value.to_ascii_lowercase()),
        Kind::Federated => PrincipalValue::Federated(value.to_owned()),
        Kind::CanonicalUser => PrincipalValue::CanonicalUser(value.to_owned()),
        Kind::Aws if is_account_id(value) => PrincipalValue::Account(value.to_owned()),
        Kind::Aws => {
            if let Some(parts) = arn_parts(value) {
                let account = parts[4];
                if !is_account_id(account) {
                    return Err(shape(format!("statement {label}: principal {value} names no account")));
                }
                if parts[5] == "root" {
                    PrincipalValue::Account(account.to_owned())
                } else if parts[2] == "sts" && parts[5].starts_with("assumed-role/") {
                    PrincipalValue::Session { account: account.to_owned() }
                } else {
                    PrincipalValue::Arn(value.to_owned())
                }
            } else if value.len() >= 16
                && value.starts_with('A')
                && value.bytes().all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
            {
                PrincipalValue::UniqueId
            } else {
                return Err(shape(format!("statement {label}: {value:?} is not an AWS principal")));
            }
        }
    })
}

fn parse_operator(name: &str) -> Operator {
    let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
        (Some(SetOp::ForAnyValue), rest)
    } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
        (Some(SetOp::ForAllValues), rest)
    } else {
        (None, name)
    };
    let (if_exists, rest) = match rest.strip_suffix("IfExists") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let (base, negated) = match rest {
        "StringEquals" => (Base::StringEquals, false),
        "StringNotEquals" => (Base::StringEquals, true),
        "StringEqualsIgnoreCase" => (Base::StringEqualsIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Base::StringEqualsIgnoreCase, true),
        "StringLike" => (Base::StringLike, false),
        "StringNotLike" => (Base::StringLike, true),
        "ArnEquals" | "ArnLike" => (Base::ArnLike, false),
        "ArnNotEquals" | "ArnNotLike" => (Base::ArnLike, true),
        "Bool" => (Base::Bool, false),
        "Null" if !if_exists && set.is_none() => (Base::Null, false),
        "NumericEquals"
        | "NumericNotEquals"
        | "NumericLessThan"
        | "NumericLessThanEquals"
        | "NumericGreaterThan"
        | "NumericGreaterThanEquals"
        | "DateEquals"
        | "DateNotEquals"
        | "DateLessThan"
        | "DateLessThanEquals"
        | "DateGreaterThan"
        | "DateGreaterThanEquals"
        | "IpAddress"
        | "NotIpAddress"
        | "BinaryEquals" => (Base::Other, false),
        _ => return Operator::Unknown,
    };
    Operator::Known { base, negated, if_exists, set }
}

fn compile(base: Option<Base>, value: &str) -> Compiled {
    if value.contains("${") {
        return Compiled::Variable;
    }
    match base {
        Some(Base::StringEquals) => Compiled::Literal(value.to_owned()),
        Some(Base::StringEqualsIgnoreCase) => Compiled::Literal(value.to_lowercase()),
        Some(Base::StringLike) => Compiled::Pattern(Glob::pattern(value)),
        Some(Base::ArnLike) => {
            let pattern = Glob::pattern(value);
            let parts = pattern.splitn(6, ':');
            let is_arn = parts.len() == 6 && (parts[0] == Glob::literal("arn") || parts[0].is_universal());
            Compiled::Arn(pattern, is_arn.then_some(parts))
        }
        _ => Compiled::Other(value.to_owned()),
    }
}

fn parse_conditions(condition: &Value, label: &str, limits: &Limits) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = condition else {
        return Err(shape(format!("statement {label}: Condition is not an object")));
    };
    let mut conditions = Vec::new();
    for (operator_name, tests) in operators {
        let Value::Object(tests) = tests else {
            return Err(shape(format!("statement {label}: condition {operator_name} is not an object")));
        };
        for (key, values) in tests {
            let scalar = |value: &Value| match value {
                Value::String(text) => Ok(text.clone()),
                Value::Number(number) => Ok(number.to_string()),
                Value::Bool(flag) => Ok(flag.to_string()),
                _ => Err(shape(format!("statement {label}: a value of {operator_name} {key} is not a string"))),
            };
            let values: Vec<String> = match values {
                Value::Array(values) => values.iter().map(scalar).collect::<Result<_, _>>()?,
                other => vec![scalar(other)?],
            };
            check_count(values.len(), label, "a condition", limits)?;
            let operator = parse_operator(operator_name);
            let base = match operator {
                Operator::Known { base, .. } => Some(base),
                Operator::Unknown => None,
            };
            let compiled: Vec<Compiled> = values.iter().map(|value| compile(base, value)).collect();
            let equal_set = compiled
                .iter()
                .filter_map(|value| match value {
                    Compiled::Literal(text) => Some(text.clone()),
                    _ => None,
                })
                .collect();
            let has_variables = compiled.contains(&Compiled::Variable);
            conditions.push(Condition {
                id: 0,
                operator_name: operator_name.clone(),
                operator,
                key: key.to_ascii_lowercase(),
                key_name: key.clone(),
                values,
                compiled,
                equal_set,
                has_variables,
            });
        }
    }
    Ok(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_read_with_their_qualifiers() {
        assert_eq!(
            parse_operator("ForAnyValue:StringNotLikeIfExists"),
            Operator::Known { base: Base::StringLike, negated: true, if_exists: true, set: Some(SetOp::ForAnyValue) }
        );
        assert_eq!(
            parse_operator("ArnNotEquals"),
            Operator::Known { base: Base::ArnLike, negated: true, if_exists: false, set: None }
        );
        assert_eq!(parse_operator("NullIfExists"), Operator::Unknown);
        assert_eq!(parse_operator("StringEqualsSomeday"), Operator::Unknown);
    }
}
