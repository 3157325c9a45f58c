//! Reading an image from its registry documents: the manifest (or the index
//! that lists one manifest per platform) and the config blob the manifest
//! names, as the OCI image spec and Docker's v2 formats lay them out. Pure:
//! the collector fetches the bytes, this turns them into data.

use serde::Deserialize;

/// The manifest media types bulkhead accepts from `BatchGetImage`
/// (`acceptedMediaTypes`): without them ECR may answer with a Docker schema
/// 1 conversion, which has no config blob.
pub const ACCEPTED_MANIFEST_TYPES: [&str; 4] = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST];

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// The largest config blob bulkhead reads: real configs are kilobytes; a
/// long history stays far below this.
pub const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024;

/// An OS and CPU architecture, as the OCI spec spells them (`linux/amd64`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
}

impl Platform {
    /// What ECS runs a task definition on: its `runtimePlatform`, else
    /// linux/amd64 (ECS's default).
    pub fn of_runtime(os_family: Option<&str>, cpu_architecture: Option<&str>) -> Platform {
        let os = match os_family {
            Some(family) if family.starts_with("WINDOWS") => "windows",
            _ => "linux",
        };
        let architecture = match cpu_architecture {
            Some("ARM64") => "arm64",
            _ => "amd64",
        };
        Platform { os: os.to_owned(), architecture: architecture.to_owned() }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)
    }
}

/// What a manifest says, as far as reading the image goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    /// An image manifest: its config blob and its layers, bottom first.
    Image { config_digest: String, config_size: Option<u64>, layers: Vec<LayerDescriptor> },
    /// An index (manifest list): one manifest digest per platform.
    Index(Vec<(Platform, String)>),
}

/// A layer as a manifest names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct LayerDescriptor {
    pub digest: String,
    /// The blob's size in bytes, as the manifest declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("the manifest is not JSON: {0}")]
    NotJson(String),
    #[error("the manifest has media type {0:?}, which has no config blob")]
    Unsupported(String),
    #[error("the image index has no manifest for {0}")]
    NoPlatform(Platform),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    media_type: Option<String>,
    schema_version: Option<u32>,
    config: Option<RawDescriptor>,
    manifests: Option<Vec<RawDescriptor>>,
    #[serde(default)]
    layers: Vec<RawDescriptor>,
}

#[derive(Deserialize)]
struct RawDescriptor {
    digest: String,
    size: Option<u64>,
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    platform: Option<RawPlatform>,
}

#[derive(Deserialize)]
struct RawPlatform {
    os: String,
    architecture: String,
}

/// Parses a manifest; `media_type` is what ECR reported for it, used when
/// the document itself does not say (OCI manifests may leave it out).
pub fn parse_manifest(text: &str, media_type: Option<&str>) -> Result<Manifest, ManifestError> {
    let raw: RawManifest = serde_json::from_str(text).map_err(|err| ManifestError::NotJson(err.to_string()))?;
    let kind = raw.media_type.as_deref().or(media_type).unwrap_or_default().to_owned();
    if let Some(manifests) = raw.manifests
        && matches!(kind.as_str(), OCI_INDEX | DOCKER_MANIFEST_LIST | "")
    {
        let platforms = manifests
            .into_iter()
            .filter_map(|entry| {
                let platform = entry.platform?;
                Some((Platform { os: platform.os, architecture: platform.architecture }, entry.digest))
            })
            .collect();
        return Ok(Manifest::Index(platforms));
    }
    match raw.config {
        Some(config) if raw.schema_version.unwrap_or(2) == 2 => {
            let layers = raw
                .layers
                .into_iter()
                .map(|layer| LayerDescriptor { digest: layer.digest, size: layer.size, media_type: layer.media_type })
                .collect();
            Ok(Manifest::Image { config_digest: config.digest, config_size: config.size, layers })
        }
        _ => Err(ManifestError::Unsupported(if kind.is_empty() { "(none)".to_owned() } else { kind })),
    }
}

/// The manifest of `platform` in an index. Attestation entries (platform
/// `unknown/unknown`, as BuildKit writes them) never match.
pub fn manifest_for(index: &[(Platform, String)], platform: &Platform) -> Result<String, ManifestError> {
    index
        .iter()
        .find(|(candidate, _)| candidate == platform)
        .map(|(_, digest)| digest.clone())
        .ok_or_else(|| ManifestError::NoPlatform(platform.clone()))
}

/// The parts of an image config the checks read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedConfig {
    pub created: Option<String>,
    pub user: Option<String>,
    /// `NAME=value` split at the first `=`.
    pub env: Vec<(String, String)>,
    pub exposed_ports: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub history: Vec<(String, bool)>,
}

#[derive(Deserialize)]
struct RawConfig {
    created: Option<String>,
    config: Option<RawRunConfig>,
    #[serde(default)]
    history: Vec<RawHistory>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawRunConfig {
    user: Option<String>,
    env: Option<Vec<String>>,
    exposed_ports: Option<serde_json::Map<String, serde_json::Value>>,
    entrypoint: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawHistory {
    created_by: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the image config is not valid JSON: {0}")]
pub struct ConfigError(pub String);

pub fn parse_config(bytes: &[u8]) -> Result<ParsedConfig, ConfigError> {
    let raw: RawConfig = serde_json::from_slice(bytes).map_err(|err| ConfigError(err.to_string()))?;
    let run =
        raw.config.unwrap_or(RawRunConfig { user: None, env: None, exposed_ports: None, entrypoint: None, cmd: None });
    Ok(ParsedConfig {
        created: raw.created,
        user: run.user.filter(|user| !user.is_empty()),
        env: run
            .env
            .unwrap_or_default()
            .into_iter()
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) => (name.to_owned(), value.to_owned()),
                None => (pair, String::new()),
            })
            .collect(),
        exposed_ports: run.exposed_ports.map(|ports| ports.keys().cloned().collect()).unwrap_or_default(),
        entrypoint: run.entrypoint.unwrap_or_default(),
        cmd: run.cmd.unwrap_or_default(),
        history: raw.history.into_iter().map(|step| (step.created_by.unwrap_or_default(), step.empty_layer)).collect(),
    })
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let hex: String = digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether an image runs or exposes SSH: `22/tcp` exposed, or an
/// entrypoint/cmd that starts `sshd`. Empty: neither; else what shows it.
pub fn ssh_evidence(exposed_ports: &[String], entrypoint: &[String], cmd: &[String]) -> Vec<String> {
    let mut evidence = Vec::new();
    if exposed_ports.iter().any(|port| port == "22/tcp" || port == "22") {
        evidence.push("exposes port 22/tcp".to_owned());
    }
    if entrypoint.iter().any(|word| starts_sshd(word)) {
        evidence.push("its entrypoint starts sshd".to_owned());
    }
    if cmd.iter().any(|word| starts_sshd(word)) {
        evidence.push("its command starts sshd".to_owned());
    }
    evidence
}

/// Whether a word of an entrypoint or command (a whole shell script, for
/// `sh -c`) starts `sshd`.
pub fn starts_sshd(word: &str) -> bool {
    word.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
        .any(|token| token.rsplit('/').next() == Some("sshd"))
}

/// The Dockerfile instruction a `history[].created_by` line records:
/// classic builders write `/bin/sh -c #(nop) ENV ...` for metadata and
/// `/bin/sh -c ...` for RUN; BuildKit writes the instruction first
/// (`RUN /bin/sh -c ...`).
pub fn instruction(line: &str) -> String {
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
    fn manifests_and_indexes() {
        let image = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":7}}"#;
        assert_eq!(
            parse_manifest(image, None),
            Ok(Manifest::Image { config_digest: "sha256:c".into(), config_size: Some(7), layers: vec![] })
        );
        let index = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"digest":"sha256:arm","platform":{"os":"linux","architecture":"arm64"}},
            {"digest":"sha256:att","platform":{"os":"unknown","architecture":"unknown"}},
            {"digest":"sha256:amd","platform":{"os":"linux","architecture":"amd64"}}]}"#;
        let Ok(Manifest::Index(entries)) = parse_manifest(index, None) else { panic!() };
        assert_eq!(entries.len(), 3);
        assert_eq!(manifest_for(&entries, &Platform::of_runtime(None, None)).unwrap(), "sha256:amd");
        assert_eq!(manifest_for(&entries, &Platform::of_runtime(Some("LINUX"), Some("ARM64"))).unwrap(), "sha256:arm");
        let windows = Platform::of_runtime(Some("WINDOWS_SERVER_2022_CORE"), Some("X86_64"));
        assert_eq!(manifest_for(&entries, &windows), Err(ManifestError::NoPlatform(windows)));
        // Docker schema 1 has no config blob.
        assert!(matches!(
            parse_manifest(r#"{"schemaVersion":1,"fsLayers":[]}"#, None),
            Err(ManifestError::Unsupported(_))
        ));
        assert!(matches!(parse_manifest("not json", None), Err(ManifestError::NotJson(_))));
    }

    #[test]
    fn config_fields() {
        let config = br#"{"created":"2024-01-01T00:00:00Z","config":{"User":"app","Env":["PATH=/bin","A=b=c","BARE"],
            "ExposedPorts":{"8080/tcp":{}},"Entrypoint":["/entry.sh"],"Cmd":null},
            "history":[{"created_by":"RUN apt-get install -y curl"},{"created_by":"ENV X=1","empty_layer":true},{}]}"#;
        let parsed = parse_config(config).unwrap();
        assert_eq!(parsed.user.as_deref(), Some("app"));
        assert_eq!(parsed.env[1], ("A".to_owned(), "b=c".to_owned()));
        assert_eq!(parsed.env[2], ("BARE".to_owned(), String::new()));
        assert_eq!(parsed.exposed_ports, ["8080/tcp"]);
        assert!(parsed.cmd.is_empty());
        assert_eq!(parsed.history.len(), 3);
        assert!(parsed.history[1].1);
        assert_eq!(parse_config(br#"{"config":{"User":""}}"#).unwrap().user, None);
        assert!(parse_config(b"\x00").is_err());
    }

    #[test]
    fn ssh_is_port_22_or_sshd() {
        let words = |list: &[&str]| list.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(ssh_evidence(&words(&["22/tcp"]), &[], &[]), ["exposes port 22/tcp"]);
        assert_eq!(ssh_evidence(&[], &words(&["/usr/sbin/sshd", "-D"]), &[]), ["its entrypoint starts sshd"]);
        assert_eq!(ssh_evidence(&[], &[], &words(&["sh", "-c", "/usr/sbin/sshd -D & exec app"])).len(), 1);
        assert!(ssh_evidence(&words(&["2222/tcp", "8022/tcp"]), &words(&["sshd-exporter"]), &[]).is_empty());
    }

    #[test]
    fn history_lines_name_their_instruction() {
        assert_eq!(instruction("/bin/sh -c #(nop)  ENV AWS_SECRET_ACCESS_KEY=x"), "ENV");
        assert_eq!(instruction("RUN |1 GITHUB_TOKEN=x /bin/sh -c make"), "RUN");
        assert_eq!(instruction("/bin/sh -c curl x"), "RUN");
        assert_eq!(instruction("COPY file:0123abcd in /app"), "COPY");
        assert_eq!(instruction("apt-get update"), "RUN");
    }

    #[test]
    fn digests() {
        assert_eq!(sha256_digest(b"test"), "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }
}
