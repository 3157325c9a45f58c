//! Secrets in plain container environment variables: known credential
//! formats anywhere in a value, plus secret-looking names whose values look
//! random. A match names the detector only; callers must never print the value.
//!
//! What bulkhead keeps of a value the detector flags is a [`Flagged`]: the
//! rule that matched and a keyed fingerprint, never the value. The
//! fingerprint is HMAC-SHA256 under a key drawn from the system's random
//! number generator once per process (so once per scan or evaluation) and
//! never written anywhere: within one scan's outputs equal secrets have
//! equal fingerprints (the same key reused in two task definitions shows),
//! and no one can reverse a fingerprint (HMAC-SHA256 is one-way) nor test a
//! guess against it, however short the secret, for that needs the key,
//! which ended with the process.

use std::sync::LazyLock;

use aws_lc_rs::hmac;
use serde::{Deserialize, Serialize};

/// Secrets in the files of an image, by rules kept as data.
pub mod files;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    PrivateKey,
    GithubToken,
    SlackToken,
    StripeKey,
    Jwt,
    ConnectionStringPassword,
    /// A secret-looking variable name with a high-entropy value.
    HighEntropyNamedSecret,
}

impl SecretKind {
    /// The rule's id, as the inventory spells it (`github_token`).
    pub fn id(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKeyId => "aws_access_key_id",
            SecretKind::AwsSecretAccessKey => "aws_secret_access_key",
            SecretKind::PrivateKey => "private_key",
            SecretKind::GithubToken => "github_token",
            SecretKind::SlackToken => "slack_token",
            SecretKind::StripeKey => "stripe_key",
            SecretKind::Jwt => "jwt",
            SecretKind::ConnectionStringPassword => "connection_string_password",
            SecretKind::HighEntropyNamedSecret => "high_entropy_named_secret",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKeyId => "an AWS access key id",
            SecretKind::AwsSecretAccessKey => "an AWS secret access key",
            SecretKind::PrivateKey => "a private key block",
            SecretKind::GithubToken => "a GitHub token",
            SecretKind::SlackToken => "a Slack token or webhook",
            SecretKind::StripeKey => "a Stripe secret key",
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::ConnectionStringPassword => "a connection string with a password",
            SecretKind::HighEntropyNamedSecret => "a random-looking value under a secret-like name",
        }
    }
}

/// A value the detector flagged, as bulkhead keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flagged {
    /// The rule that matched.
    pub rule: SecretKind,
    /// [`fingerprint`] of the value.
    pub fingerprint: String,
}

/// What bulkhead keeps of `name=value`: `None` when the detector finds
/// nothing, else the rule and the value's fingerprint.
pub fn flag(name: &str, value: &str) -> Option<Flagged> {
    detect(name, value).map(|rule| Flagged { rule, fingerprint: fingerprint(value) })
}

/// The key of this process's fingerprints: 256 random bits that live only
/// in memory.
static FINGERPRINT_KEY: LazyLock<hmac::Key> = LazyLock::new(|| {
    hmac::Key::generate(hmac::HMAC_SHA256, &aws_lc_rs::rand::SystemRandom::new())
        .expect("the system's random number generator works")
});

/// `hmac-sha256:<hex>` of `value` under this process's key: equal values
/// give equal fingerprints within one process, and nothing about the value
/// can be learnt or guessed from it outside (see the module's comment).
pub fn fingerprint(value: &str) -> String {
    let tag = hmac::sign(&FINGERPRINT_KEY, value.as_bytes());
    let hex: String = tag.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
    format!("hmac-sha256:{hex}")
}

/// A value bulkhead keeps where a string must stay (a log driver's
/// option): `value` itself, or, when it must not be kept,
/// `(withheld: WHY FINGERPRINT)`. Withheld: what the detector flags, and any
/// non-empty value under a secret-like name (a `splunk-token` is a UUID,
/// which the detector lets pass).
pub fn kept_or_withheld(name: &str, value: &str) -> String {
    match detect(name, value) {
        Some(rule) => withheld(rule.id(), value),
        None if secret_like_name(name) && !value.is_empty() => withheld("secret_like_name", value),
        None => value.to_owned(),
    }
}

/// What stands where `value` was withheld: `(withheld: WHY FINGERPRINT)`.
pub fn withheld(why: &str, value: &str) -> String {
    format!("(withheld: {why} {})", fingerprint(value))
}

/// A secret in one shell-like line (a Dockerfile history step, a command):
/// a `NAME=value` word (ENV, ARG, a BuildKit `RUN |1 NAME=value`) whose name
/// and value look like one, which gives the name, or else a known
/// credential format anywhere in the line.
pub fn detect_in_line(line: &str) -> Option<(Option<String>, SecretKind)> {
    for token in line.split_whitespace() {
        if let Some((name, value)) = token.split_once('=') {
            let name = name.trim_start_matches(['"', '\'']);
            let value = value.trim_matches(['"', '\'']);
            let plain_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain_name && let Some(kind) = detect(name, value) {
                return Some((Some(name.to_owned()), kind));
            }
        }
    }
    detect("", line).map(|kind| (None, kind))
}

/// Values this random (Shannon entropy, bits per character) and at least
/// [`MIN_NAMED_SECRET_LEN`] long count as secrets under a secret-like name.
pub const ENTROPY_THRESHOLD: f64 = 3.0;
pub const MIN_NAMED_SECRET_LEN: usize = 12;

/// A known credential format, looked for anywhere in a value.
type Detector = fn(&str) -> bool;

/// The first detector that matches `value` (the variable `name` matters only
/// for the name-based detector), or `None`.
pub fn detect(name: &str, value: &str) -> Option<SecretKind> {
    let detectors: [(SecretKind, Detector); 8] = [
        (SecretKind::PrivateKey, has_private_key),
        (SecretKind::AwsAccessKeyId, has_aws_access_key_id),
        (SecretKind::GithubToken, has_github_token),
        (SecretKind::SlackToken, has_slack_token),
        (SecretKind::StripeKey, has_stripe_key),
        (SecretKind::Jwt, has_jwt),
        (SecretKind::ConnectionStringPassword, has_connection_string_password),
        (SecretKind::AwsSecretAccessKey, is_aws_secret_access_key),
    ];
    if let Some((kind, _)) = detectors.iter().find(|(_, found)| found(value)) {
        return Some(*kind);
    }
    (secret_like_name(name) && high_entropy(value)).then_some(SecretKind::HighEntropyNamedSecret)
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Every position where `prefix` starts a token (not preceded by a token character).
fn token_starts<'a>(value: &'a str, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    value.match_indices(prefix).filter_map(move |(at, _)| {
        let preceded = value[..at].chars().next_back().is_some_and(is_token_char);
        (!preceded).then(|| &value[at + prefix.len()..])
    })
}

fn run_len(rest: &str, allowed: impl Fn(char) -> bool) -> usize {
    rest.chars().take_while(|&c| allowed(c)).count()
}

fn has_private_key(value: &str) -> bool {
    value.find("-----BEGIN ").is_some_and(|at| {
        let header = &value[at..];
        header.lines().next().is_some_and(|line| line.contains("PRIVATE KEY-----"))
    })
}

fn has_aws_access_key_id(value: &str) -> bool {
    ["AKIA", "ASIA", "ABIA", "ACCA", "AROA", "AIDA"].iter().any(|prefix| {
        token_starts(value, prefix).any(|rest| {
            let len = run_len(rest, |c| c.is_ascii_uppercase() || c.is_ascii_digit());
            len == 16 && !rest.chars().nth(16).is_some_and(is_token_char)
        })
    })
}

fn is_aws_secret_access_key(value: &str) -> bool {
    let value = value.trim();
    value.len() == 40
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
        && value.chars().any(|c| c.is_ascii_uppercase())
        && value.chars().any(|c| c.is_ascii_lowercase())
        && value.chars().any(|c| c.is_ascii_digit())
        && shannon_entropy(value) >= 4.0
}

fn has_github_token(value: &str) -> bool {
    ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|prefix| token_starts(value, prefix).any(|rest| run_len(rest, |c| c.is_ascii_alphanumeric()) >= 36))
        || token_starts(value, "github_pat_").any(|rest| run_len(rest, |c| c.is_ascii_alphanumeric() || c == '_') >= 22)
}

fn has_slack_token(value: &str) -> bool {
    ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "xapp-"].iter().any(|prefix| {
        token_starts(value, prefix).any(|rest| run_len(rest, |c| c.is_ascii_alphanumeric() || c == '-') >= 10)
    }) || value.contains("hooks.slack.com/services/T")
}

fn has_stripe_key(value: &str) -> bool {
    ["sk_live_", "rk_live_", "sk_test_", "rk_test_"]
        .iter()
        .any(|prefix| token_starts(value, prefix).any(|rest| run_len(rest, |c| c.is_ascii_alphanumeric()) >= 16))
}

fn has_jwt(value: &str) -> bool {
    let segment = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    token_starts(value, "eyJ").any(|rest| {
        let header = run_len(rest, segment);
        let after = &rest[header..];
        let Some(payload) = after.strip_prefix(".eyJ") else { return false };
        let body = run_len(payload, segment);
        let Some(signature) = payload[body..].strip_prefix('.') else { return false };
        header >= 8 && body >= 8 && run_len(signature, segment) >= 8
    })
}

/// `scheme://user:password@host...` with a non-empty password that is not a
/// template placeholder (`${DB_PASSWORD}`, `{{ .Password }}`, `<password>`).
fn has_connection_string_password(value: &str) -> bool {
    value.match_indices("://").any(|(at, _)| {
        let rest = &value[at + 3..];
        let authority = rest.split(['/', '?', '#', ' ']).next().unwrap_or_default();
        let Some((userinfo, _host)) = authority.rsplit_once('@') else { return false };
        let Some((_user, password)) = userinfo.split_once(':') else { return false };
        !password.is_empty()
            && !password.starts_with("${")
            && !password.starts_with("{{")
            && !password.starts_with('<')
            && !password.starts_with('$')
    })
}

const SECRET_NAME_PARTS: [&str; 12] = [
    "PASSWORD",
    "PASSWD",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "AUTH",
    "SIGNING_KEY",
];

/// Names that refer to a secret kept elsewhere rather than holding one.
const REFERENCE_SUFFIXES: [&str; 9] =
    ["_FILE", "_PATH", "_ARN", "_NAME", "_ID", "_TTL", "_URL", "_ENDPOINT", "_HEADER"];

/// A name that says its value is a secret (`DB_PASSWORD`, `api-token`),
/// not one that refers to a secret kept elsewhere (`DB_PASSWORD_FILE`).
pub fn secret_like_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    SECRET_NAME_PARTS.iter().any(|part| upper.contains(part))
        && !REFERENCE_SUFFIXES.iter().any(|suffix| upper.ends_with(suffix))
}

fn high_entropy(value: &str) -> bool {
    let value = value.trim();
    if value.len() < MIN_NAMED_SECRET_LEN || value.contains(char::is_whitespace) {
        return false;
    }
    // References and ordinary configuration, not secrets.
    if value.starts_with("arn:") || value.starts_with('/') || value.starts_with("./") || value.contains("://") {
        return false;
    }
    if is_uuid(value) || value.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit_or_symbol = value.chars().any(|c| !c.is_ascii_alphabetic());
    has_letter && has_digit_or_symbol && shannon_entropy(value) >= ENTROPY_THRESHOLD
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Shannon entropy in bits per character.
pub fn shannon_entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&count| {
            let p = count as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_credential_formats_are_found_under_any_name() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", SecretKind::AwsAccessKeyId),
            ("key=ASIAY34FZKBOKMUTVV7A;", SecretKind::AwsAccessKeyId),
            ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", SecretKind::AwsSecretAccessKey),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----", SecretKind::PrivateKey),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", SecretKind::PrivateKey),
            ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", SecretKind::GithubToken),
            ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", SecretKind::GithubToken),
            ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", SecretKind::SlackToken),
            ("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", SecretKind::SlackToken),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", SecretKind::StripeKey),
            (
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                SecretKind::Jwt,
            ),
            ("postgres://app:s3cr3t-Pa55@db.internal:5432/orders", SecretKind::ConnectionStringPassword),
            ("mongodb+srv://svc:hunter2@cluster0.example.net/db", SecretKind::ConnectionStringPassword),
        ];
        for (value, kind) in cases {
            assert_eq!(detect("SOME_SETTING", value), Some(kind), "{value}");
        }
    }

    #[test]
    fn secret_like_names_with_random_values_are_found() {
        assert_eq!(detect("DB_PASSWORD", "Zx8#kq2LmP0vR7tY"), Some(SecretKind::HighEntropyNamedSecret));
        assert_eq!(detect("api-token", "f3a9c1d27be84e6a9d0c5b1e7f24a8c6"), Some(SecretKind::HighEntropyNamedSecret));
        assert_eq!(detect("AUTH_SECRET", "9fK2_xQ7-pLm4Rz1"), Some(SecretKind::HighEntropyNamedSecret));
    }

    #[test]
    fn entropy_threshold_separates_words_from_random_strings() {
        assert!(shannon_entropy("aaaaaaaaaaaaaaaa") < 0.1);
        assert!(shannon_entropy("passwordpassword") < ENTROPY_THRESHOLD);
        assert!(shannon_entropy("Zx8#kq2LmP0vR7tY") >= ENTROPY_THRESHOLD);
        assert_eq!(detect("DB_PASSWORD", "passwordpassword"), None, "low entropy");
        assert_eq!(detect("DB_PASSWORD", "Zx8#kq2L"), None, "too short");
    }

    #[test]
    fn rule_ids_are_the_inventorys_spelling() {
        for kind in [
            SecretKind::AwsAccessKeyId,
            SecretKind::AwsSecretAccessKey,
            SecretKind::PrivateKey,
            SecretKind::GithubToken,
            SecretKind::SlackToken,
            SecretKind::StripeKey,
            SecretKind::Jwt,
            SecretKind::ConnectionStringPassword,
            SecretKind::HighEntropyNamedSecret,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.id());
        }
    }

    #[test]
    fn a_flagged_value_keeps_its_rule_and_a_keyed_fingerprint_only() {
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let flagged = flag("AWS_SECRET_ACCESS_KEY", key).unwrap();
        assert_eq!(flagged.rule, SecretKind::AwsSecretAccessKey);
        assert!(flagged.fingerprint.starts_with("hmac-sha256:") && flagged.fingerprint.len() == 12 + 64);
        assert!(!serde_json::to_string(&flagged).unwrap().contains("wJalr"));
        // Equal values, equal fingerprints, within the process; not a plain hash.
        assert_eq!(flag("OTHER_NAME", key).unwrap().fingerprint, flagged.fingerprint);
        assert_ne!(fingerprint("hunter2"), fingerprint("hunter3"));
        let plain = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key.as_bytes());
        let plain: String = plain.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
        assert!(!flagged.fingerprint.contains(&plain));
        assert_eq!(flag("LOG_LEVEL", "info"), None);
    }

    #[test]
    fn strings_that_must_stay_strings_are_kept_or_withheld() {
        assert_eq!(kept_or_withheld("awslogs-group", "/ecs/app"), "/ecs/app");
        assert_eq!(kept_or_withheld("mode", "non-blocking"), "non-blocking");
        assert_eq!(kept_or_withheld("awslogs-credentials-endpoint", "/creds"), "/creds", "a reference");
        let apikey = kept_or_withheld("apikey", "f3a9c1d27be84e6a9d0c5b1e7f24a8c6");
        assert!(apikey.starts_with("(withheld: high_entropy_named_secret hmac-sha256:"), "{apikey}");
        let uuid = "550e8400-e29b-41d4-a716-446655440000";
        let splunk = kept_or_withheld("splunk-token", uuid);
        assert!(splunk.starts_with("(withheld: secret_like_name hmac-sha256:"), "{splunk}");
    }

    #[test]
    fn lines_give_the_name_of_a_pair_or_the_format_found() {
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        assert_eq!(
            detect_in_line(&format!("RUN |1 GITHUB_TOKEN={token} /bin/sh -c make")),
            Some((Some("GITHUB_TOKEN".to_owned()), SecretKind::GithubToken))
        );
        assert_eq!(
            detect_in_line(&format!("curl -H 'Authorization: {token}' x")),
            Some((None, SecretKind::GithubToken))
        );
        assert_eq!(detect_in_line("ENV PATH=/usr/local/bin:/usr/bin"), None);
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        let cases = [
            ("FEATURE_ENABLED", "true"),
            ("AUTH_ENABLED", "false"),
            ("PORT", "8080"),
            ("TOKEN_TTL_SECONDS", "3600"),
            ("API_URL", "https://api.example.com/v1/orders?limit=10"),
            ("DATABASE_URL", "postgres://app@db.internal:5432/orders"),
            ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db.internal:5432/orders"),
            ("REQUEST_ID", "550e8400-e29b-41d4-a716-446655440000"),
            ("API_TOKEN", "550e8400-e29b-41d4-a716-446655440000"),
            ("DB_PASSWORD_FILE", "/run/secrets/db-password-2024"),
            ("DB_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"),
            ("SECRET_NAME", "prod/payments/stripe-key-v2"),
            ("GIT_SHA", "3f786850e387550fdab836ed7e6dc881de23001b"),
            ("JAVA_OPTS", "-Xmx512m -XX:+UseG1GC -Dfile.encoding=UTF-8"),
            ("LOG_LEVEL", "info"),
            ("AWS_REGION", "eu-west-1"),
            ("HOSTNAME", "AKIAnot-a-key"),
        ];
        for (name, value) in cases {
            assert_eq!(detect(name, value), None, "{name}={value}");
        }
    }
}
