//! No secret baked into an image the task definitions run: its config's
//! `Env` values and the `history[].created_by` line of every layer. The same
//! detector as task definition environments; findings name the variable or
//! the history step, never the value.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::image_configs::{ImageConfig, RegistryImage};
use crate::secrets::{SecretKind, detect};

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_images_no_secrets_in_config", scope: Scope::RegistryImages(judge), reads: &[] };

fn judge(_: &Context<'_>, _: &RegistryImage, config: &ImageConfig) -> Verdict {
    let mut found: Vec<String> = config
        .env
        .iter()
        .filter_map(|variable| {
            detect(&variable.name, &variable.value)
                .map(|kind| format!("environment variable {} ({})", variable.name, kind.describe()))
        })
        .collect();
    for (index, step) in config.history.iter().enumerate() {
        if let Some((what, kind)) = history_secret(&step.created_by) {
            found.push(format!("history step {} ({what}: {})", index + 1, kind.describe()));
        }
    }
    if found.is_empty() {
        pass(format!(
            "has no secret-looking value in its config ({} environment variable(s), {} history step(s) read).",
            config.env.len(),
            config.history.len()
        ))
    } else {
        fail(format!(
            "has what looks like a secret baked into its config, readable by anyone who can pull it: {}.",
            found.join("; ")
        ))
    }
}

/// A secret in one `created_by` line: a known credential format anywhere,
/// or a `NAME=value` pair (ENV, ARG, a BuildKit `RUN |1 NAME=value`) whose
/// name and value look like one. Says what the step is and, for a pair, the
/// variable's name.
fn history_secret(line: &str) -> Option<(String, SecretKind)> {
    let instruction = instruction(line);
    for token in line.split_whitespace() {
        if let Some((name, value)) = token.split_once('=') {
            let name = name.trim_start_matches(['"', '\'']);
            let value = value.trim_matches(['"', '\'']);
            let plain_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain_name && let Some(kind) = detect(name, value) {
                return Some((format!("{instruction} {name}"), kind));
            }
        }
    }
    detect("", line).map(|kind| (instruction, kind))
}

/// The Dockerfile instruction a history line records: classic builders
/// write `/bin/sh -c #(nop) ENV ...` for metadata and `/bin/sh -c ...` for
/// RUN; BuildKit writes the instruction first (`RUN /bin/sh -c ...`).
fn instruction(line: &str) -> String {
    let line = line.trim();
    if let Some((_, rest)) = line.split_once("#(nop)") {
        return rest.split_whitespace().next().unwrap_or("metadata").to_ascii_uppercase();
    }
    if line.starts_with("/bin/sh -c") || line.starts_with("|") {
        return "RUN".to_owned();
    }
    match line.split_whitespace().next() {
        Some(word) if word.chars().all(|c| c.is_ascii_uppercase()) => word.to_owned(),
        _ => "RUN".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_lines_name_the_instruction_and_variable_never_the_value() {
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let (what, kind) = history_secret(&format!("/bin/sh -c #(nop)  ENV AWS_SECRET_ACCESS_KEY={key}")).unwrap();
        assert_eq!((what.as_str(), kind), ("ENV AWS_SECRET_ACCESS_KEY", SecretKind::AwsSecretAccessKey));
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let (what, _) = history_secret(&format!("RUN |1 GITHUB_TOKEN={token} /bin/sh -c make")).unwrap();
        assert_eq!(what, "RUN GITHUB_TOKEN");
        let (what, kind) = history_secret(&format!("/bin/sh -c curl -H 'Authorization: {token}' x")).unwrap();
        assert_eq!((what.as_str(), kind), ("RUN", SecretKind::GithubToken));
        assert!(history_secret("/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin").is_none());
        assert!(history_secret("RUN /bin/sh -c apt-get update && apt-get install -y curl").is_none());
        assert!(history_secret("COPY file:0123abcd in /app").is_none());
    }
}
