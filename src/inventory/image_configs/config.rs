//! What an image's config blob says, as bulkhead keeps it: what the checks
//! read, with every value the secret detector flags judged when the blob
//! is read and left out (the verdict stays, the value goes no further).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::image::config::{LayerDescriptor, instruction, parse_config, starts_sshd};
use crate::inventory::ecs::EnvironmentVariable;
use crate::secrets::{self, Flagged};

/// What the image's config blob says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// The platform's manifest, when the reference names an index.
    pub platform_manifest: Option<String>,
    pub config_digest: String,
    /// `created`; `None` when the config does not say (or not as RFC 3339).
    pub created: Option<Timestamp>,
    /// `config.User`; `None` when unset or empty (the image runs as root).
    pub user: Option<String>,
    /// `config.Env`: each variable's name and what the secret detector
    /// found in its value, never the value.
    pub env: Vec<EnvironmentVariable>,
    /// `config.ExposedPorts` keys (`22/tcp`).
    pub exposed_ports: Vec<String>,
    /// `config.Entrypoint` and `config.Cmd`, each word as [`command_word`]
    /// keeps it.
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    /// `history[]`: one entry per layer.
    pub history: Vec<HistoryStep>,
    /// The layers the image manifest names, bottom first.
    #[serde(default)]
    pub layers: Vec<LayerDescriptor>,
}

/// One step of an image's `history[]` as bulkhead keeps it: its
/// `created_by` line is judged by the secret detector when it is read, and
/// only the verdict stays. No check needs the line itself, which holds
/// whatever a build passed on its command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryStep {
    pub empty_layer: bool,
    /// The Dockerfile instruction of the step (`RUN`, `COPY`), all that is
    /// kept of its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<StepSecret>,
}

/// What the detector found in a history step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSecret {
    /// The instruction and, for a `NAME=value` pair, the name:
    /// `ENV AWS_SECRET_ACCESS_KEY`, `RUN GITHUB_TOKEN`, `RUN`.
    pub location: String,
    /// The rule, and the fingerprint of the whole line.
    #[serde(flatten)]
    pub found: Flagged,
}

impl HistoryStep {
    /// A `created_by` line, judged: the line goes no further.
    pub fn new(created_by: &str, empty_layer: bool) -> HistoryStep {
        let secret = secrets::detect_in_line(created_by).map(|(name, rule)| {
            let instruction = instruction(created_by);
            StepSecret {
                location: name.map_or_else(|| instruction.clone(), |name| format!("{instruction} {name}")),
                found: Flagged { rule, fingerprint: secrets::fingerprint(created_by) },
            }
        });
        HistoryStep { empty_layer, instruction: Some(instruction(created_by)), secret }
    }
}

/// A word of an image's entrypoint or command as bulkhead keeps it: itself,
/// or, when the secret detector flags it, a marker with the rule and the
/// fingerprint, followed by `sshd` when the word starts sshd (all that the
/// SSH check reads of a word).
pub fn command_word(word: &str) -> String {
    match secrets::detect_in_line(word) {
        None => word.to_owned(),
        Some((_, rule)) => {
            let marker = secrets::withheld(rule.id(), word);
            if starts_sshd(word) { format!("{marker} sshd") } else { marker }
        }
    }
}

pub(super) fn image_config(
    bytes: &[u8],
    platform_manifest: Option<String>,
    config_digest: &str,
    layers: Vec<LayerDescriptor>,
) -> Result<ImageConfig, String> {
    let parsed = parse_config(bytes).map_err(|err| format!("config blob {config_digest}: {err}"))?;
    Ok(ImageConfig {
        platform_manifest,
        config_digest: config_digest.to_owned(),
        created: parsed.created.and_then(|created| created.parse::<Timestamp>().ok()),
        user: parsed.user,
        env: parsed.env.iter().map(|(name, value)| EnvironmentVariable::new(name.as_str(), value)).collect(),
        exposed_ports: parsed.exposed_ports,
        entrypoint: parsed.entrypoint.iter().map(|word| command_word(word)).collect(),
        cmd: parsed.cmd.iter().map(|word| command_word(word)).collect(),
        history: parsed
            .history
            .iter()
            .map(|(created_by, empty_layer)| HistoryStep::new(created_by, *empty_layer))
            .collect(),
        layers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SecretKind;

    #[test]
    fn history_lines_name_the_instruction_and_variable_never_the_value() {
        let found =
            |line: &str| HistoryStep::new(line, false).secret.map(|secret| (secret.location, secret.found.rule));
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let (what, kind) = found(&format!("/bin/sh -c #(nop)  ENV AWS_SECRET_ACCESS_KEY={key}")).unwrap();
        assert_eq!((what.as_str(), kind), ("ENV AWS_SECRET_ACCESS_KEY", SecretKind::AwsSecretAccessKey));
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let (what, _) = found(&format!("RUN |1 GITHUB_TOKEN={token} /bin/sh -c make")).unwrap();
        assert_eq!(what, "RUN GITHUB_TOKEN");
        let (what, kind) = found(&format!("/bin/sh -c curl -H 'Authorization: {token}' x")).unwrap();
        assert_eq!((what.as_str(), kind), ("RUN", SecretKind::GithubToken));
        assert!(found("/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin").is_none());
        assert!(found("RUN /bin/sh -c apt-get update && apt-get install -y curl").is_none());
        assert!(found("COPY file:0123abcd in /app").is_none());
    }

    #[test]
    fn a_config_keeps_no_value_the_detector_flags() {
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let blob = serde_json::json!({
            "created": "2026-01-01T00:00:00Z",
            "config": {
                "Env": ["PATH=/usr/bin", format!("GITHUB_TOKEN={token}"), "DB_PASSWORD=Zx8#kq2LmP0vR7tY"],
                "Entrypoint": ["/bin/sh", "-c", format!("/usr/sbin/sshd -D & exec app --token {token}")],
                "Cmd": ["--verbose", format!("--token={token}")],
            },
            "history": [{"created_by": format!("RUN |1 GITHUB_TOKEN={token} /bin/sh -c make")}, {"created_by": "COPY . /app"}],
        });
        let config = image_config(blob.to_string().as_bytes(), None, "sha256:c", Vec::new()).unwrap();
        let kept = serde_json::to_string(&config).unwrap();
        for value in [token, "abcdefghijklmnopqrstuvwxyz", "Zx8#kq2LmP0vR7tY", "COPY . /app", "/usr/bin"] {
            assert!(!kept.contains(value), "{value} kept: {kept}");
        }
        let names: Vec<&str> = config.env.iter().map(|variable| variable.name.as_str()).collect();
        assert_eq!(names, ["PATH", "GITHUB_TOKEN", "DB_PASSWORD"]);
        let rules: Vec<Option<SecretKind>> =
            config.env.iter().map(|variable| variable.secret.as_ref().map(|found| found.rule)).collect();
        assert_eq!(rules, [None, Some(SecretKind::GithubToken), Some(SecretKind::HighEntropyNamedSecret)]);
        assert_eq!(config.history.len(), 2);
        assert!(config.history[1].secret.is_none());
        // What the SSH check reads survives: sshd in a withheld word, the plain words.
        assert_eq!(config.entrypoint[..2], ["/bin/sh", "-c"]);
        assert!(config.entrypoint[2].starts_with("(withheld: github_token hmac-sha256:"), "{}", config.entrypoint[2]);
        assert!(config.entrypoint[2].ends_with(" sshd"));
        assert_eq!(
            crate::image::config::ssh_evidence(&config.exposed_ports, &config.entrypoint, &config.cmd),
            ["its entrypoint starts sshd"]
        );
        assert_eq!(config.cmd[0], "--verbose");
        assert!(!config.cmd[1].contains("sshd"));
    }
}
