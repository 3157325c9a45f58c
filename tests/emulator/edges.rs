//! Where bulkhead meets AWS: the endpoint it is given, an endpoint that
//! refuses connections, an instance metadata service that forbids, what
//! the most verbose logs may show, and which hosts an image's config blob
//! may be read from.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::{Account, FaultProxy, bulkhead, text};

/// A port on 127.0.0.1 that nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The commands that take `--endpoint-url`, writing nothing into `dir`.
fn aws_commands(dir: &std::path::Path) -> [Vec<String>; 2] {
    [
        vec!["scan".into(), "--output-dir".into(), dir.to_str().unwrap().into()],
        vec!["accounts".into(), "--organization".into()],
    ]
}

fn with_keys(command: &mut std::process::Command) -> &mut std::process::Command {
    command.env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE").env("AWS_SECRET_ACCESS_KEY", "test")
}

#[test]
fn an_endpoint_without_a_scheme_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for command in aws_commands(dir.path()) {
        let started = Instant::now();
        let output = with_keys(bulkhead().args(&command).args(["--endpoint-url", "127.0.0.1:6201"])).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(stderr.contains("'127.0.0.1:6201'") && stderr.contains("http://"), "{command:?}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(5), "{command:?} took {:?}", started.elapsed());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing is written");
}

/// Nothing listens: the first attempt says so, and no retry will change it.
#[test]
fn a_refused_endpoint_fails_fast() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    for command in aws_commands(dir.path()) {
        let started = Instant::now();
        let output = with_keys(bulkhead().args(&command).args(["--endpoint-url", &endpoint, "--region", "us-east-1"]))
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(stderr.contains("Connection refused"), "{command:?}: {stderr}");
        assert!(stderr.contains(&format!("hint: {endpoint} could not be reached")), "{command:?}: {stderr}");
        eprintln!("edges: {} against a refused endpoint failed in {:.2} s", command[0], elapsed.as_secs_f64());
        assert!(elapsed < Duration::from_secs(5), "{command:?} took {elapsed:?}:\n{stderr}");
    }
}

/// An HTTP server on 127.0.0.1 that answers every request 403, as an
/// instance metadata service does where it is disabled or out of reach.
fn forbidding_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    format!("http://{address}")
}

#[test]
fn an_imds_that_answers_403_keeps_the_no_credentials_hint() {
    let dir = tempfile::tempdir().unwrap();
    let output = bulkhead()
        .args(["scan", "--region", "us-east-1", "--output-dir", dir.path().to_str().unwrap()])
        .args(["--endpoint-url", &format!("http://127.0.0.1:{}", closed_port())])
        .env("AWS_EC2_METADATA_DISABLED", "false")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", forbidding_server())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("IMDS"), "the cause is named: {stderr}");
    assert!(stderr.contains("\n  hint: no AWS credentials were found."), "{stderr}");
    assert!(!stderr.contains("after two rounds"), "credentials that are not there are not retried: {stderr}");
}

const NON_ROOT: &str = "ecs_task_definitions_containers_non_root_user";

/// The scan reads image configs through presigned URLs, whose query
/// (`X-Amz-Signature`, `X-Amz-Credential`) is a credential: no log line at
/// any level, trace included, carries one.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn trace_logs_carry_no_presigned_signature() {
    let account = Account::seeded("ecs_images");
    let scan = account.scan_with_env(&["--checks", NON_ROOT, "--regions", "eu-west-1"], &[("RUST_LOG", "trace")]);
    assert_eq!(scan.status_of(NON_ROOT, "by-image-user:1"), "PASS", "the config was read");
    assert!(scan.stderr.lines().count() > 1000, "trace logs were written: {} lines", scan.stderr.lines().count());
    for secret in ["X-Amz-Signature", "Signature=", "bulkhead-emulator", "X-Amz-Credential="] {
        let leaks: Vec<&str> = scan.stderr.lines().filter(|line| line.contains(secret)).take(3).collect();
        assert!(leaks.is_empty(), "{secret} in the trace logs:\n{}", leaks.join("\n"));
    }
}

/// With an emulator, download URLs may be plain http, but only on the
/// endpoint's own host: the emulator is made to hand out URLs on
/// `localhost` while the endpoint is 127.0.0.1, and none is fetched.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_http_blob_url_is_read_only_from_the_endpoints_host() {
    let account = Account::seeded("ecs_images");
    let args = ["--checks", NON_ROOT, "--regions", "eu-west-1"];
    let same_host = FaultProxy::start(&[]);
    let scan = account.scan_through(&same_host.endpoint, &args);
    assert_eq!(scan.status_of(NON_ROOT, "by-image-user:1"), "PASS", "{}", scan.stderr);
    assert!(same_host.stats().get("pass:blob").copied().unwrap_or(0) > 0, "{:?}", same_host.stats());

    let other_host = FaultProxy::start(&["--rename-host", "localhost"]);
    let scan = account.scan_through(&other_host.endpoint, &args);
    let finding = scan.finding_mentioning(NON_ROOT, "by-image-user:1");
    let message = text(&finding["message"]);
    assert_eq!(finding["status"], "ERROR", "{message}");
    assert!(message.contains("http://localhost:") && message.contains("not the endpoint's host"), "{message}");
    assert!(!message.contains("X-Amz-Signature"), "{message}");
    assert_eq!(other_host.stats().get("pass:blob"), None, "no blob was fetched from localhost");
}
