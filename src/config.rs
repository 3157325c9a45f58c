//! The settings checks read: thresholds and trust lists, with the defaults a
//! scan uses when no `bulkhead.toml` says otherwise.
//!
//! The file is read into [`RawConfig`], which rejects unknown keys, then
//! validated into [`Config`]; every error names the file, line and column
//! and, where there is one, the key.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::severity::Severity;

/// The largest config file read: a config is a few lists and numbers; its
/// longest list, `trusted_accounts` for a 1,000-account organisation, is
/// about 16 KiB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Access keys older than this fail key rotation.
    pub access_key_max_age_days: u32,
    /// Access keys unused for longer than this fail.
    pub access_key_unused_days: u32,
    /// Registries images may come from besides ECR in the audited accounts
    /// (host names, e.g. `public.ecr.aws`, `ghcr.io/acme`).
    pub trusted_registries: Vec<String>,
    /// TCP ports (inclusive ranges) that must not be open to the internet.
    pub high_risk_tcp_ports: Vec<(u16, u16)>,
    /// The lowest image vulnerability severity that fails the latest-image check.
    pub min_vulnerability_severity: Severity,
    /// Accounts (and organizations, `o-...`) trusted for cross-account access
    /// besides the audited ones.
    pub trusted_accounts: Vec<String>,
    /// Images whose config says they were built longer ago than this fail
    /// `ecs_task_definitions_images_not_outdated`.
    pub image_max_age_days: u32,
    /// `vpc_flow_logs_enabled` judges every VPC, not only those in use
    /// (with at least one network interface).
    pub vpc_flow_logs_every_vpc: bool,
    /// An EKS cluster endpoint that is public but open only to listed CIDRs
    /// passes `eks_cluster_not_publicly_accessible` (off: it fails, as FSBP
    /// EKS.1 judges any public endpoint).
    pub eks_public_endpoint_cidrs_accepted: bool,
    /// An EKS cluster on a Kubernetes version in extended support passes
    /// `eks_cluster_uses_a_supported_version` (off: it fails with the date
    /// its extended support ends).
    pub eks_extended_support_accepted: bool,
    /// How much of the images' layers a scan reads.
    pub layers: LayerLimits,
}

/// The budgets of reading image layers: a layer over any of them is not
/// read in full, and its images are ERROR for the checks that read layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerLimits {
    /// Bytes of one layer, compressed and decompressed (`image_layer_max_mib`).
    pub layer_bytes: u64,
    /// Bytes of layer blobs one scan fetches (`image_layers_scan_max_gib`).
    pub scan_bytes: u64,
    /// Entries of one layer (`image_layer_max_files`).
    pub files_per_layer: u64,
    /// Files larger than this are not read for secrets (`image_file_scan_max_kib`).
    pub file_bytes_scanned: u64,
}

impl Default for LayerLimits {
    fn default() -> LayerLimits {
        LayerLimits {
            layer_bytes: 2 << 30,
            scan_bytes: 32 << 30,
            files_per_layer: 500_000,
            file_bytes_scanned: 1 << 20,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            access_key_max_age_days: 90,
            access_key_unused_days: 45,
            trusted_registries: Vec::new(),
            high_risk_tcp_ports: vec![
                (20, 21),
                (23, 23),
                (1433, 1434),
                (1521, 1521),
                (2483, 2483),
                (3306, 3306),
                (5432, 5432),
                (5601, 5601),
                (6379, 6379),
                (7199, 7199),
                (8888, 8888),
                (9092, 9092),
                (9160, 9160),
                (9200, 9200),
                (9300, 9300),
                (11211, 11211),
                (27017, 27018),
            ],
            min_vulnerability_severity: Severity::High,
            trusted_accounts: Vec::new(),
            image_max_age_days: 365,
            vpc_flow_logs_every_vpc: false,
            eks_public_endpoint_cidrs_accepted: false,
            eks_extended_support_accepted: false,
            layers: LayerLimits::default(),
        }
    }
}

/// `bulkhead.toml` as written. Every key is optional; absent keys keep
/// their defaults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    access_key_max_age_days: Option<Spanned<i64>>,
    access_key_unused_days: Option<Spanned<i64>>,
    trusted_registries: Option<Vec<Spanned<String>>>,
    /// Each entry a port (`3306`) or an inclusive range (`"27017-27018"`).
    high_risk_tcp_ports: Option<Vec<Spanned<toml::Value>>>,
    min_vulnerability_severity: Option<Spanned<String>>,
    trusted_accounts: Option<Vec<Spanned<String>>>,
    image_max_age_days: Option<Spanned<i64>>,
    vpc_flow_logs_every_vpc: Option<bool>,
    eks_public_endpoint_cidrs_accepted: Option<bool>,
    eks_extended_support_accepted: Option<bool>,
    image_layer_max_mib: Option<Spanned<i64>>,
    image_layers_scan_max_gib: Option<Spanned<i64>>,
    image_layer_max_files: Option<Spanned<i64>>,
    image_file_scan_max_kib: Option<Spanned<i64>>,
}

/// A `bulkhead.toml` that cannot be used: the scan does not start (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", location.map(|(line, column)| format!(":{line}:{column}")).unwrap_or_default())]
pub struct ConfigError {
    pub path: String,
    /// 1-based line and column, when the problem has a place in the file.
    pub location: Option<(usize, usize)>,
    pub message: String,
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let error = |message: String| ConfigError { path: path.display().to_string(), location: None, message };
        let too_large =
            || error(format!("the file is larger than {} MiB, the most a config may be", MAX_FILE_BYTES >> 20));
        let mut file = std::fs::File::open(path).map_err(|err| error(format!("cannot read the file: {err}")))?;
        if file.metadata().is_ok_and(|metadata| metadata.len() > MAX_FILE_BYTES) {
            return Err(too_large());
        }
        // The file may grow, or be a device, after its size was taken.
        let mut text = String::new();
        (&mut file)
            .take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|err| error(format!("cannot read the file: {err}")))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large());
        }
        Config::parse(&path.display().to_string(), &text)
    }

    /// Validates config text; `path` only names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_owned(),
            location: span.map(|span| line_column(text, span.start)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            let message = plain_types(err.message().trim());
            let message = match err.span().and_then(|span| key_at(text, span.start)) {
                // An unknown key names itself and the keys there are.
                Some(key) if !message.starts_with("unknown field") => format!("{key}: {message}"),
                _ => message,
            };
            error(err.span(), message)
        })?;
        let mut config = Config::default();

        let days = |value: &Spanned<i64>, key: &str| {
            u32::try_from(*value.get_ref()).ok().filter(|days| *days > 0).ok_or_else(|| {
                error(
                    Some(value.span()),
                    format!("{key}: expected a whole number of days > 0, got {}", value.get_ref()),
                )
            })
        };
        if let Some(value) = &raw.access_key_max_age_days {
            config.access_key_max_age_days = days(value, "access_key_max_age_days")?;
        }
        if let Some(value) = &raw.access_key_unused_days {
            config.access_key_unused_days = days(value, "access_key_unused_days")?;
        }
        if let Some(value) = &raw.image_max_age_days {
            config.image_max_age_days = days(value, "image_max_age_days")?;
        }
        if let Some(accepted) = raw.eks_public_endpoint_cidrs_accepted {
            config.eks_public_endpoint_cidrs_accepted = accepted;
        }
        if let Some(accepted) = raw.eks_extended_support_accepted {
            config.eks_extended_support_accepted = accepted;
        }
        config.layers = layer_limits(&raw, &error)?;
        if let Some(registries) = &raw.trusted_registries {
            config.trusted_registries = each(registries, |name| registry_host(name), &error)?;
        }
        if let Some(ports) = &raw.high_risk_tcp_ports {
            config.high_risk_tcp_ports =
                each(ports, |entry| port_range(entry).map_err(|why| format!("high_risk_tcp_ports: {why}")), &error)?;
        }
        if let Some(severity) = &raw.min_vulnerability_severity {
            config.min_vulnerability_severity = severity
                .get_ref()
                .parse()
                .map_err(|why| error(Some(severity.span()), format!("min_vulnerability_severity: {why}")))?;
        }
        if let Some(accounts) = &raw.trusted_accounts {
            config.trusted_accounts = each(accounts, |account| trusted_account(account), &error)?;
        }
        if let Some(every) = raw.vpc_flow_logs_every_vpc {
            config.vpc_flow_logs_every_vpc = every;
        }
        Ok(config)
    }
}

/// The layer budgets of `raw`, each a whole number > 0 of its unit.
fn layer_limits(
    raw: &RawConfig,
    error: &dyn Fn(Option<std::ops::Range<usize>>, String) -> ConfigError,
) -> Result<LayerLimits, ConfigError> {
    let positive = |value: &Option<Spanned<i64>>, key: &str, unit: u64, default: u64| {
        let Some(value) = value else { return Ok(default) };
        u64::try_from(*value.get_ref())
            .ok()
            .filter(|count| *count > 0)
            .and_then(|count| count.checked_mul(unit))
            .ok_or_else(|| {
                error(Some(value.span()), format!("{key}: expected a whole number > 0, got {}", value.get_ref()))
            })
    };
    let defaults = LayerLimits::default();
    Ok(LayerLimits {
        layer_bytes: positive(&raw.image_layer_max_mib, "image_layer_max_mib", 1 << 20, defaults.layer_bytes)?,
        scan_bytes: positive(
            &raw.image_layers_scan_max_gib,
            "image_layers_scan_max_gib",
            1 << 30,
            defaults.scan_bytes,
        )?,
        files_per_layer: positive(&raw.image_layer_max_files, "image_layer_max_files", 1, defaults.files_per_layer)?,
        file_bytes_scanned: positive(
            &raw.image_file_scan_max_kib,
            "image_file_scan_max_kib",
            1 << 10,
            defaults.file_bytes_scanned,
        )?,
    })
}

/// The key whose value holds the byte `offset`: the last `key =` that
/// begins a line before it (the file's keys are all top-level).
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    before.lines().rev().find_map(|line| {
        let (key, _) = line.split_once('=')?;
        let key = key.trim();
        (!key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(key)
    })
}

/// TOML's words for the types a key expects, as a person says them.
fn plain_types(message: &str) -> String {
    message.replace("expected i64", "expected a whole number").replace("expected a sequence", "expected a list")
}

/// Each value validated, the first that is not named with its place.
fn each<T, U>(
    values: &[Spanned<T>],
    validate: impl Fn(&T) -> Result<U, String>,
    error: &impl Fn(Option<std::ops::Range<usize>>, String) -> ConfigError,
) -> Result<Vec<U>, ConfigError> {
    values.iter().map(|value| validate(value.get_ref()).map_err(|why| error(Some(value.span()), why))).collect()
}

/// A registry host, with an optional path (`ghcr.io/acme`), no trailing slash.
fn registry_host(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) || name.contains("://") {
        Err(format!("trusted_registries: {name:?} is not a registry host (e.g. \"ghcr.io/acme\")"))
    } else {
        Ok(name.trim_end_matches('/').to_owned())
    }
}

/// A 12-digit AWS account id or an organization id (`o-` and 10 to 32
/// lower-case letters or digits).
fn trusted_account(id: &str) -> Result<String, String> {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
    let organization = |text: &str| {
        text.strip_prefix("o-").is_some_and(|rest| {
            (10..=32).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    };
    if (id.len() == 12 && digits(id)) || organization(id) {
        Ok(id.to_owned())
    } else {
        Err(format!("trusted_accounts: {id:?} is neither a 12-digit AWS account id nor an organization id (o-...)"))
    }
}

/// `3306` or `"27017-27018"`, inclusive, 1-65535.
fn port_range(value: &toml::Value) -> Result<(u16, u16), String> {
    let port = |text: &str| {
        text.trim()
            .parse::<u16>()
            .ok()
            .filter(|port| *port > 0)
            .ok_or_else(|| format!("{text:?} is not a port (1-65535)"))
    };
    match value {
        toml::Value::Integer(number) => {
            let single = u16::try_from(*number)
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| format!("{number} is not a port (1-65535)"))?;
            Ok((single, single))
        }
        toml::Value::String(text) => {
            let (low, high) = match text.split_once('-') {
                Some((low, high)) => (port(low)?, port(high)?),
                None => (port(text)?, port(text)?),
            };
            if low > high {
                return Err(format!("range {text:?} runs backwards"));
            }
            Ok((low, high))
        }
        other => Err(format!("expected a port number or a \"low-high\" string, got {}", other.type_str())),
    }
}

/// The 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |last| last.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_of_the_wrong_type_names_its_key() {
        let err =
            Config::parse("b.toml", "image_max_age_days = 30\naccess_key_max_age_days = \"ninety\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.toml:2:27: access_key_max_age_days: invalid type: string \"ninety\", expected a whole number"
        );
        let err = Config::parse("b.toml", "trusted_registries = \"ghcr.io\"").unwrap_err();
        assert!(err.to_string().contains(": trusted_registries: invalid type: string"), "{err}");
        assert!(err.to_string().ends_with("expected a list"), "{err}");
        let spread = "high_risk_tcp_ports = [\n  22,\n  true,\n]\n";
        let err = Config::parse("b.toml", spread).unwrap_err();
        assert!(err.to_string().starts_with("b.toml:3:3: high_risk_tcp_ports: "), "{err}");
    }

    #[test]
    fn a_file_larger_than_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulkhead.toml");
        // Valid TOML all the way: only its size is wrong.
        let comment = format!("# {}\n", "x".repeat(1021));
        let text = format!("access_key_max_age_days = 30\n{}", comment.repeat(1024));
        std::fs::write(&path, &text).unwrap();
        let err = Config::load(&path).unwrap_err();
        assert_eq!(err.path, path.display().to_string());
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
        std::fs::write(&path, &text[..text.len() - comment.len()]).unwrap();
        assert_eq!(Config::load(&path).unwrap().access_key_max_age_days, 30, "a file within the limit is read");
    }

    #[test]
    fn an_empty_file_keeps_the_defaults() {
        assert_eq!(Config::parse("bulkhead.toml", "").unwrap(), Config::default());
    }

    #[test]
    fn every_key_is_read() {
        let text = r#"
access_key_max_age_days = 30
access_key_unused_days = 10
trusted_registries = ["public.ecr.aws", "ghcr.io/acme/"]
high_risk_tcp_ports = [22, "8000-8080"]
min_vulnerability_severity = "critical"
trusted_accounts = ["111122223333"]
image_max_age_days = 180
"#;
        let config = Config::parse("bulkhead.toml", text).unwrap();
        assert_eq!(config.access_key_max_age_days, 30);
        assert_eq!(config.access_key_unused_days, 10);
        assert_eq!(config.trusted_registries, ["public.ecr.aws", "ghcr.io/acme"]);
        assert_eq!(config.high_risk_tcp_ports, [(22, 22), (8000, 8080)]);
        assert_eq!(config.min_vulnerability_severity, Severity::Critical);
        assert_eq!(config.trusted_accounts, ["111122223333"]);
        assert_eq!(config.image_max_age_days, 180);
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let err = Config::parse("b.toml", "trusted_accounts = []\n\nhigh_risk_ports = [22]\n").unwrap_err();
        assert_eq!(err.location, Some((3, 1)), "{err}");
        assert!(err.message.contains("high_risk_ports"), "{err}");
        assert!(err.to_string().starts_with("b.toml:3:1: "), "{err}");
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let cases = [
            ("min_vulnerability_severity = \"severe\"\n", (1, 30), "min_vulnerability_severity"),
            ("\nhigh_risk_tcp_ports = [22, \"90-80\"]\n", (2, 28), "runs backwards"),
            ("trusted_accounts = [\"1234\"]\n", (1, 21), "12-digit"),
            ("access_key_max_age_days = -1\n", (1, 27), "access_key_max_age_days"),
            ("image_max_age_days = 0\n", (1, 22), "image_max_age_days"),
            ("high_risk_tcp_ports = [70000]\n", (1, 24), "not a port"),
        ];
        for (text, location, needle) in cases {
            let err = Config::parse("b.toml", text).unwrap_err();
            assert_eq!(err.location, Some(location), "{text}: {err}");
            assert!(err.message.contains(needle), "{text}: {err}");
        }
        let syntax = Config::parse("b.toml", "trusted_accounts = [\n").unwrap_err();
        assert!(syntax.location.is_some(), "{syntax}");
    }
}
