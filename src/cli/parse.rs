//! Value parsers of the command line: each refuses what AWS would refuse,
//! before any call.

pub(super) fn parse_output_name(name: &str) -> Result<String, String> {
    let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
    if plain { Ok(name.to_owned()) } else { Err("a file name without a folder".to_owned()) }
}

pub(super) fn parse_account_id(id: &str) -> Result<String, String> {
    let valid = id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
    if valid { Ok(id.to_owned()) } else { Err("an AWS account id is 12 digits".to_owned()) }
}

pub(super) fn parse_parent_id(id: &str) -> Result<String, String> {
    // The patterns of the Organizations API reference (ParentId).
    let root = id.strip_prefix("r-").is_some_and(|rest| (4..=32).contains(&rest.len()) && is_lower_alnum(rest));
    let unit = id.strip_prefix("ou-").and_then(|rest| rest.split_once('-')).is_some_and(|(root, unit)| {
        (4..=32).contains(&root.len()) && is_lower_alnum(root) && (8..=32).contains(&unit.len()) && is_lower_alnum(unit)
    });
    if root || unit {
        Ok(id.to_owned())
    } else {
        Err("an organizational unit id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)".to_owned())
    }
}

fn is_lower_alnum(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

pub(super) fn parse_role_name(name: &str) -> Result<String, String> {
    let valid =
        (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if valid { Ok(name.to_owned()) } else { Err("a role name: 1 to 64 of A-Z a-z 0-9 + = , . @ _ -".to_owned()) }
}

pub(super) fn parse_role_path(path: &str) -> Result<String, String> {
    let valid = path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && path.chars().all(|c| ('!'..='~').contains(&c));
    if valid { Ok(path.to_owned()) } else { Err("an IAM path: `/`, or `/` and printable ASCII and `/`".to_owned()) }
}

pub(super) fn parse_external_id(id: &str) -> Result<String, String> {
    let valid =
        (2..=1224).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c));
    if valid { Ok(id.to_owned()) } else { Err("2 to 1224 of A-Z a-z 0-9 + = , . @ : / _ -".to_owned()) }
}

pub(super) fn parse_session_name(name: &str) -> Result<String, String> {
    let valid =
        (2..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if valid { Ok(name.to_owned()) } else { Err("2 to 64 of A-Z a-z 0-9 + = , . @ _ -".to_owned()) }
}
