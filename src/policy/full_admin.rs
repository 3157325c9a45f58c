//! Does an identity policy grant full administrative access (`"*"` actions on
//! `"*"` resources)? As in Prowler and CIS: an `Allow` statement whose
//! `Action` is or contains `"*"` and whose `Resource` is or contains `"*"`.

use serde_json::Value;

use super::PolicyError;

/// The statements (by `Sid` or `#position`) that allow `*` on `*`.
/// `document` is the policy JSON, percent-encoded or not (`GetPolicyVersion`
/// returns it URL-encoded).
pub fn full_admin_statements(document: &str) -> Result<Vec<String>, PolicyError> {
    let text = if document.trim_start().starts_with('{') { document.to_owned() } else { percent_decode(document)? };
    let document: Value = serde_json::from_str(&text).map_err(|err| PolicyError::NotJson(err.to_string()))?;
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(statements)) => statements.iter().collect(),
        Some(statement @ Value::Object(_)) => vec![statement],
        _ => return Err(PolicyError::UnexpectedShape("there is no Statement object or list".into())),
    };
    let mut found = Vec::new();
    for (index, statement) in statements.into_iter().enumerate() {
        let Value::Object(statement) = statement else {
            return Err(PolicyError::UnexpectedShape(format!("statement #{} is not an object", index + 1)));
        };
        let allow = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
        if allow && contains_star(statement.get("Action")) && contains_star(statement.get("Resource")) {
            found.push(match statement.get("Sid").and_then(Value::as_str) {
                Some(sid) if !sid.is_empty() => sid.to_owned(),
                _ => format!("#{}", index + 1),
            });
        }
    }
    Ok(found)
}

fn contains_star(value: Option<&Value>) -> bool {
    match value {
        Some(Value::String(text)) => text == "*",
        Some(Value::Array(items)) => items.iter().any(|item| item.as_str() == Some("*")),
        _ => false,
    }
}

fn percent_decode(text: &str) -> Result<String, PolicyError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let hex = text
                    .get(index + 1..index + 3)
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| PolicyError::NotJson("malformed percent-encoding".into()))?;
                out.push(hex);
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|err| PolicyError::NotJson(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_on_star_is_admin_in_any_shape() {
        let plain = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        assert_eq!(full_admin_statements(plain).unwrap(), ["#1"]);
        let listed = r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"},
            {"Sid":"Admin","Effect":"Allow","Action":["ec2:*","*"],"Resource":["*"]}]}"#;
        assert_eq!(full_admin_statements(listed).unwrap(), ["Admin"]);
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
        assert_eq!(full_admin_statements(encoded).unwrap(), ["#1"]);
    }

    #[test]
    fn service_wildcards_denies_and_narrow_resources_are_not_admin() {
        for policy in [
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::bucket/*"}]}"#,
        ] {
            assert!(full_admin_statements(policy).unwrap().is_empty(), "{policy}");
        }
        assert!(full_admin_statements("not json").is_err());
    }
}
