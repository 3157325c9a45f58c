//! Credentials and account data out of the logs. At trace level the SDK
//! logs whole responses and outputs (`read HTTP response body`,
//! `output_or_error`), and with them the presigned URLs of image blobs,
//! whose query (`X-Amz-Signature`, `X-Amz-Credential`,
//! `X-Amz-Security-Token`) lets anyone read the blob, the keys and session
//! tokens STS and SSO hand out, and whatever the account keeps in its
//! resources: a task definition's log driver options and commands, and its
//! environment when `LOG_SENSITIVE_BODIES` is set. Every log line passes
//! through [`redact`] on its way to stderr, whichever crate wrote it, and
//! the SDK's events that carry an AWS answer are withheld whole, at every
//! level ([`carries_an_answer`]).
//!
//! Withheld rather than passed through the secret detector: the detector
//! judges a value with its variable's name, which a logged answer prints
//! elsewhere on the line (a random value under `DB_PASSWORD` is a secret
//! only with its name), and escaping (`\n` in a private key, JSON's
//! `\u0026`) breaks the formats it recognises, so a line filter would let
//! secrets through; and an answer holds more than bulkhead reads, which no
//! one asked to log.

use std::borrow::Cow;
use std::io::Write;
use std::sync::LazyLock;

use regex::Regex;

/// A character of a URL as logs show it: plain, or escaped as JSON does
/// (`\u0026` for `&`).
const URL_CHAR: &str = r#"(?:[^\s"'<>\\]|\\u[0-9a-fA-F]{4})"#;

/// What is cut out, and what is left in its place.
static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let rule = |pattern: &str, replacement| (Regex::new(pattern).expect("a valid pattern"), replacement);
    vec![
        // A presigned URL's whole query: it holds the signature and the credential scope.
        rule(&format!(r"(?i)\?{URL_CHAR}*(?:x-amz-|signature=){URL_CHAR}*"), "?(query redacted)"),
        // SigV4's Authorization header, and any other `Signature=` left.
        rule(r#"(?i)\b(signature)=[^\s,;"'&\\]+"#, "$1 (redacted)"),
        // A session token sent as a header (the SDK's own request logs
        // already show `** redacted (length=N) **`, left as it is).
        rule(r#"(?i)(x-amz-security-token\\?"?\s*[:=]\s*\\?"?)[^\s,;"'&\\*][^\s,;"'&\\]*"#, "$1(redacted)"),
        // Keys and tokens in an STS answer (XML) or an SSO one (JSON).
        rule(r"<(SecretAccessKey|SessionToken)>[^<]*</", "<$1>(redacted)</"),
        rule(r#"(?i)((?:secret_?access_?key|session_?token)\\?"\s*:\s*\\?")[^"\\]+"#, "$1(redacted)"),
    ]
});

/// `text` without the credentials [`RULES`] recognise.
pub fn redact(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let suspect = ["x-amz-", "signature", "secret", "session"].iter().any(|needle| lower.contains(needle));
    if !suspect {
        return Cow::Borrowed(text);
    }
    let mut text = Cow::Borrowed(text);
    for (pattern, replacement) in RULES.iter() {
        if let Cow::Owned(replaced) = pattern.replace_all(&text, *replacement) {
            text = Cow::Owned(replaced);
        }
    }
    text
}

/// The fields in which the SDK's runtime logs an AWS answer: the HTTP
/// response (`received response from service`, `read HTTP response body`)
/// and the parsed output or error (`output_or_error`, which holds the raw
/// response when it could not be parsed).
const ANSWER_FIELDS: [&str; 2] = ["response", "output_or_error"];

/// Whether an event of `target` with these fields logs an AWS answer.
pub fn carries_an_answer<'f>(target: &str, mut fields: impl Iterator<Item = &'f str>) -> bool {
    target.starts_with("aws_smithy_runtime") && fields.any(|field| ANSWER_FIELDS.contains(&field))
}

/// What stands for an event that carried an AWS answer: its line up to its
/// target (time, level, spans: the service and operation), then a note.
fn withheld(text: &str, target: &str) -> String {
    let head = text.find(target).map_or(target, |at| &text[..at + target.len()]);
    let reset = if head.contains('\x1b') { "\x1b[0m" } else { "" };
    format!("{}{reset}: an AWS answer, withheld (it holds account data)\n", redact(head))
}

/// Where the log goes: stderr, each line redacted first. One writer per
/// event, as tracing-subscriber makes them, so a line is redacted whole.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactedStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactedStderr {
    type Writer = RedactedEvent;

    fn make_writer(&'a self) -> RedactedEvent {
        RedactedEvent { text: Vec::new(), withheld: None }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> RedactedEvent {
        let answer = carries_an_answer(meta.target(), meta.fields().iter().map(|field| field.name()));
        RedactedEvent { text: Vec::new(), withheld: answer.then(|| meta.target().to_owned()) }
    }
}

/// One event's text, written to stderr, redacted, when dropped; for an
/// event that carried an AWS answer, only its head (`withheld` is its target).
#[derive(Debug)]
pub struct RedactedEvent {
    text: Vec<u8>,
    withheld: Option<String>,
}

impl Write for RedactedEvent {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactedEvent {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.text);
        let line = match &self.withheld {
            Some(target) => Cow::Owned(withheld(&text, target)),
            None => redact(&text),
        };
        // Nowhere to report a log line that could not be written.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presigned_queries_are_cut_whole() {
        let logged = r#"download_url: Some("https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com/4c1f/x?X-Amz-Security-Token=IQoJ&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=9f3a"), layer"#;
        assert_eq!(
            redact(logged),
            r#"download_url: Some("https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com/4c1f/x?(query redacted)"), layer"#
        );
        let escaped =
            r#"b"{\"downloadUrl\": \"http://127.0.0.1:1/b?X-Amz-Algorithm=A\u0026X-Amz-Signature=e\", \"x\": 1}""#;
        assert_eq!(redact(escaped), r#"b"{\"downloadUrl\": \"http://127.0.0.1:1/b?(query redacted)\", \"x\": 1}""#);
        let legacy = "GET https://bucket.s3.amazonaws.com/key?AWSAccessKeyId=AKIA&Expires=1&Signature=abc%3D end";
        assert_eq!(redact(legacy), "GET https://bucket.s3.amazonaws.com/key?(query redacted) end");
    }

    #[test]
    fn signatures_tokens_and_secrets_are_cut() {
        let header = "authorization: AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/sts/aws4_request, \
                      SignedHeaders=host;x-amz-date, Signature=0123abcd";
        assert!(redact(header).ends_with("SignedHeaders=host;x-amz-date, Signature (redacted)"), "{}", redact(header));
        let token = r#"headers: {"x-amz-security-token": "IQoJb3JpZ2luX2VjE", "x-amz-date": "20260101T000000Z"}"#;
        assert_eq!(
            redact(token),
            r#"headers: {"x-amz-security-token": "(redacted)", "x-amz-date": "20260101T000000Z"}"#
        );
        let sts = "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>wJalr/K7</SecretAccessKey>\
                   <SessionToken>IQoJ+x/y=</SessionToken></Credentials>";
        assert_eq!(
            redact(sts),
            "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>(redacted)</SecretAccessKey>\
             <SessionToken>(redacted)</SessionToken></Credentials>"
        );
        let sso = r#"b"{\"roleCredentials\":{\"accessKeyId\":\"ASIA1\",\"secretAccessKey\":\"wJalr\",\"sessionToken\":\"IQoJ\"}}""#;
        assert_eq!(
            redact(sso),
            r#"b"{\"roleCredentials\":{\"accessKeyId\":\"ASIA1\",\"secretAccessKey\":\"(redacted)\",\"sessionToken\":\"(redacted)\"}}""#
        );
    }

    #[test]
    fn the_sdks_answers_are_withheld_whole() {
        let runtime = "aws_smithy_runtime::client::orchestrator";
        assert!(carries_an_answer(runtime, ["output_or_error"].into_iter()));
        assert!(carries_an_answer(
            "aws_smithy_runtime::client::orchestrator::http",
            ["message", "response"].into_iter()
        ));
        assert!(!carries_an_answer(runtime, ["request", "message"].into_iter()), "what bulkhead sent");
        assert!(!carries_an_answer("bulkhead::inventory", ["response"].into_iter()));
        let logged = "2026-01-01T00:00:00Z TRACE ECS.DescribeTaskDefinition{rpc.service=\"ECS\"}:try_op: \
                      aws_smithy_runtime::client::orchestrator: output_or_error=Ok(DescribeTaskDefinitionOutput { \
                      task_definition: Some(TaskDefinition { container_definitions: Some([ContainerDefinition { \
                      log_configuration: Some(LogConfiguration { options: Some({\"apikey\": \"f3a9c1d2\"}) }) }]) }) })\n";
        assert_eq!(
            withheld(logged, runtime),
            "2026-01-01T00:00:00Z TRACE ECS.DescribeTaskDefinition{rpc.service=\"ECS\"}:try_op: \
             aws_smithy_runtime::client::orchestrator: an AWS answer, withheld (it holds account data)\n"
        );
        let coloured = "\x1b[2m2026\x1b[0m \x1b[35mTRACE\x1b[0m \x1b[2maws_smithy_runtime::client::orchestrator\x1b[0m\x1b[2m:\x1b[0m x";
        assert_eq!(
            withheld(coloured, runtime),
            "\x1b[2m2026\x1b[0m \x1b[35mTRACE\x1b[0m \x1b[2maws_smithy_runtime::client::orchestrator\x1b[0m: \
             an AWS answer, withheld (it holds account data)\n"
        );
        assert_eq!(
            withheld("no target here", runtime),
            format!("{runtime}: an AWS answer, withheld (it holds account data)\n")
        );
    }

    #[test]
    fn everything_else_is_left_as_it_is() {
        let sdk = r#"headers: {"authorization": ** redacted (length=242) **, "x-amz-security-token": ** redacted (length=356) **}"#;
        assert_eq!(redact(sdk), sdk, "the SDK's own redaction");
        for plain in [
            "collecting account=111122223333 regions=3",
            "POST https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity",
            "the session token of role x expires at 12:00",
        ] {
            assert!(matches!(redact(plain), Cow::Borrowed(_)) || redact(plain) == plain, "{plain}");
            assert_eq!(redact(plain), plain);
        }
    }
}
