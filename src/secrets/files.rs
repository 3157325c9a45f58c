//! Secrets in the files of an image: the rules of `file_rules.toml` (which
//! files, what a line must hold) and the credential formats of the value
//! detector, read a line at a time from a file that is never held whole.
//! What is kept of a match is the rule and a keyed fingerprint of the
//! matched text, as for every other secret.

use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

use super::{SecretKind, detect, fingerprint};

/// The longest piece of a line judged at once: longer lines are judged in
/// pieces this long (a match across two pieces is missed, a line of a
/// megabyte does not cost a megabyte).
pub const MAX_LINE: usize = 16 * 1024;

/// The credential formats of the value detector that files are read for.
/// Left out: JWTs and connection strings (every library's tests and sample
/// configs hold them) and the shape-only secret access key (any 40
/// characters of base64), which the credentials-file rule covers.
const FILE_FORMATS: [SecretKind; 5] = [
    SecretKind::PrivateKey,
    SecretKind::AwsAccessKeyId,
    SecretKind::GithubToken,
    SecretKind::SlackToken,
    SecretKind::StripeKey,
];

/// A secret found in a file: the rule's id and the fingerprint of what matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSecret {
    pub rule: String,
    pub fingerprint: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    rule: Vec<RawRule>,
    allowlist: RawAllowlist,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    pub describe: String,
    pub files: Vec<String>,
    pub pattern: Option<String>,
    pub magic: Option<String>,
    pub example: String,
    pub near_miss: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowlist {
    values: Vec<String>,
    paths: Vec<String>,
}

#[derive(Debug)]
pub struct FileRule {
    pub raw: RawRule,
    files: RegexSet,
    pattern: Option<Regex>,
    magic: Option<Vec<u8>>,
}

/// The rule set, read from the repository's `file_rules.toml`.
#[derive(Debug)]
pub struct FileRules {
    pub rules: Vec<FileRule>,
    allowed_values: Vec<String>,
    skipped_paths: RegexSet,
}

pub static FILE_RULES: LazyLock<FileRules> =
    LazyLock::new(|| FileRules::parse(include_str!("file_rules.toml")).expect("file_rules.toml is valid"));

/// A glob on a path (`**/` any directories or none, `*` and `?` within a
/// name) as an anchored regex.
pub fn glob_regex(glob: &str) -> String {
    let mut out = String::from("^");
    let mut rest = glob;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**/") {
            out.push_str("(?:.*/)?");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("**") {
            out.push_str(".*");
            rest = after;
        } else {
            let c = rest.chars().next().unwrap_or_default();
            match c {
                '*' => out.push_str("[^/]*"),
                '?' => out.push_str("[^/]"),
                _ => out.push_str(&regex::escape(&c.to_string())),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out.push('$');
    out
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (0..digits.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(digits.get(at..at + 2).unwrap_or("x"), 16).map_err(|err| err.to_string()))
        .collect()
}

impl FileRules {
    pub fn parse(text: &str) -> Result<FileRules, String> {
        let raw: RawRules = toml::from_str(text).map_err(|err| err.to_string())?;
        let globs = |globs: &[String]| RegexSet::new(globs.iter().map(|glob| glob_regex(glob)));
        let mut rules = Vec::new();
        for rule in raw.rule {
            let context = |err: &dyn std::fmt::Display| format!("rule {}: {err}", rule.id);
            let files = globs(&rule.files).map_err(|err| context(&err))?;
            let pattern = rule.pattern.as_deref().map(Regex::new).transpose().map_err(|err| context(&err))?;
            let magic = rule.magic.as_deref().map(hex).transpose().map_err(|err| context(&err))?;
            if pattern.is_some() == magic.is_some() {
                return Err(context(&"needs exactly one of pattern and magic"));
            }
            rules.push(FileRule { raw: rule, files, pattern, magic });
        }
        let skipped_paths = globs(&raw.allowlist.paths).map_err(|err| err.to_string())?;
        Ok(FileRules { rules, allowed_values: raw.allowlist.values, skipped_paths })
    }

    /// What the rule with `id` finds, for messages.
    pub fn describe(&self, id: &str) -> Option<&str> {
        self.rules.iter().find(|rule| rule.raw.id == id).map(|rule| rule.raw.describe.as_str())
    }

    /// The secrets in the file at `path` (inside the image, no leading
    /// `/`), read from `content`, each rule once.
    pub fn scan(&self, path: &str, content: &mut dyn Read) -> io::Result<Vec<FileSecret>> {
        if self.skipped_paths.is_match(path) {
            return Ok(Vec::new());
        }
        let rules: Vec<&FileRule> = self.rules.iter().filter(|rule| rule.files.is_match(path)).collect();
        let mut reader = BufReader::with_capacity(MAX_LINE, content);
        let start = reader.fill_buf()?;
        let mut found = Vec::new();
        let mut seen = BTreeSet::new();
        for rule in &rules {
            if rule.magic.as_ref().is_some_and(|magic| start.starts_with(magic)) && seen.insert(rule.raw.id.clone()) {
                found.push(FileSecret { rule: rule.raw.id.clone(), fingerprint: fingerprint_bytes(start) });
            }
        }
        if start.contains(&0) {
            return Ok(found);
        }
        let mut line = Vec::with_capacity(256);
        loop {
            line.clear();
            let read = (&mut reader).take(MAX_LINE as u64).read_until(b'\n', &mut line)?;
            if read == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            let text = self.without_allowed(&text);
            for (rule, matched) in self.line_matches(&rules, &text) {
                if seen.insert(rule.clone()) {
                    found.push(FileSecret { rule, fingerprint: fingerprint(&matched) });
                }
            }
        }
        Ok(found)
    }

    fn without_allowed(&self, line: &str) -> String {
        let mut line = line.to_owned();
        for value in &self.allowed_values {
            if line.contains(value.as_str()) {
                line = line.replace(value.as_str(), "");
            }
        }
        line
    }

    /// Each rule that matches one line, with the text it matched.
    fn line_matches(&self, rules: &[&FileRule], line: &str) -> Vec<(String, String)> {
        let mut matches = Vec::new();
        for rule in rules {
            if let Some(found) = rule.pattern.as_ref().and_then(|pattern| pattern.find(line)) {
                matches.push((rule.raw.id.clone(), found.as_str().to_owned()));
            }
        }
        if let Some(kind) = detect("", line).filter(|kind| FILE_FORMATS.contains(kind)) {
            matches.push((kind.id().to_owned(), line.trim().to_owned()));
        }
        matches
    }
}

fn fingerprint_bytes(bytes: &[u8]) -> String {
    fingerprint(&String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(path: &str, text: &[u8]) -> Vec<String> {
        FILE_RULES.scan(path, &mut &text[..]).unwrap().into_iter().map(|secret| secret.rule).collect()
    }

    #[test]
    fn every_rule_finds_its_example_and_not_its_near_miss() {
        for rule in &FILE_RULES.rules {
            let path = rule.raw.files[0].replace("**/", "root/").replace('*', "store");
            let bytes = |text: &str| if rule.magic.is_some() { hex(text).unwrap() } else { text.as_bytes().to_vec() };
            assert_eq!(
                scan(&path, &bytes(&rule.raw.example)),
                std::slice::from_ref(&rule.raw.id),
                "{} example",
                rule.raw.id
            );
            assert!(scan(&path, &bytes(&rule.raw.near_miss)).is_empty(), "{} near miss", rule.raw.id);
            if !rule.raw.files.iter().any(|glob| glob == "**") {
                assert!(scan("srv/readme.txt", &bytes(&rule.raw.example)).is_empty(), "{}: other files", rule.raw.id);
            }
        }
    }

    #[test]
    fn credential_formats_are_found_in_any_text_file_once() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(scan("app/deploy.pem", key.as_bytes()), ["private_key"]);
        let tokens = "a = ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\nb = ghp_zBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n";
        assert_eq!(scan("app/settings.py", tokens.as_bytes()), ["github_token"]);
        assert_eq!(scan("app/a.env", b"KEY=AKIAY34FZKBOKMUTVV7A\n"), ["aws_access_key_id"]);
        // Near misses: a public key, a JWT, a sample connection string.
        assert!(scan("root/.ssh/id_rsa.pub", b"ssh-rsa AAAAB3NzaC1yc2E root@host\n").is_empty());
        assert!(scan("app/db.yml", b"url: postgres://app:secret@localhost/db\n").is_empty());
    }

    #[test]
    fn documented_examples_docs_and_binaries_are_not_read() {
        let example = b"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
        assert!(scan("root/.aws/credentials", example).is_empty());
        assert!(scan("usr/share/doc/tool/example.txt", b"AKIAY34FZKBOKMUTVV7A").is_empty());
        assert!(scan("usr/bin/tool", b"\x7fELF\0\0AKIAY34FZKBOKMUTVV7A").is_empty());
    }

    #[test]
    fn long_lines_are_judged_in_pieces() {
        let mut text = vec![b'x'; MAX_LINE * 3];
        text.extend_from_slice(b" ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n");
        assert_eq!(scan("app/min.js", &text), ["github_token"]);
    }

    #[test]
    fn globs_match_as_documented() {
        let matches = |glob: &str, path: &str| Regex::new(&glob_regex(glob)).unwrap().is_match(path);
        assert!(matches("**/.npmrc", ".npmrc"));
        assert!(matches("**/.npmrc", "root/.npmrc"));
        assert!(!matches("**/.npmrc", "root/x.npmrc"));
        assert!(matches("**/*.p12", "etc/ssl/store.p12"));
        assert!(!matches("usr/share/doc/**", "usr/share/docs/x"));
        assert!(matches("usr/share/doc/**", "usr/share/doc/a/b"));
    }
}
