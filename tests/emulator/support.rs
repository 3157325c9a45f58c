//! The test bed: accounts seeded on the shared emulator that
//! `localstack/run-tests` started, and scans of them by the real binary.
//!
//! moto keeps a separate account per assumed-role account id, so every test
//! seeds and scans an account of its own, in parallel with the others.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const REGIONS: &str = "us-east-1,eu-west-1,ap-southeast-2";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The emulator's endpoint, which `localstack/run-tests` passes in
/// `BULKHEAD_TEST_ENDPOINT`: a test that needs it and runs without it fails
/// (an emulator test that a plain `cargo test` runs lacks its `#[ignore]`).
pub fn endpoint() -> String {
    match std::env::var("BULKHEAD_TEST_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => endpoint,
        _ => panic!(
            "BULKHEAD_TEST_ENDPOINT is not set: run the emulator tests with `localstack/run-tests`, which starts the emulator \
             (a test that needs it is #[ignore = \"needs the AWS emulator: run localstack/run-tests\"])"
        ),
    }
}

#[derive(Debug)]
pub struct Account {
    pub id: String,
    credentials: BTreeMap<String, String>,
    /// What the seeder made of the fixture's `organization` (`Null` without one):
    /// `{"root": ROOT_ID, "units": {NAME: OU_ID}, "accounts": {NAME: ACCOUNT_ID}}`.
    pub organization: Value,
}

/// A fresh 12-digit account id per call: unique within this test process,
/// and the process id keeps reruns on a long-lived emulator apart.
fn fresh_account_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let sequence = NEXT.fetch_add(1, Ordering::SeqCst);
    format!("{:06}{sequence:06}", std::process::id() % 1_000_000)
}

impl Account {
    /// Seeds `tests/fixtures/<fixture>.yaml` into a new account.
    pub fn seeded(fixture: &str) -> Account {
        let path = repo_root().join("tests/fixtures").join(format!("{fixture}.yaml"));
        Account::seeded_from(&path)
    }

    pub fn seeded_from(fixture: &Path) -> Account {
        let id = fresh_account_id();
        let python = repo_root().join("localstack/.venv/bin/python");
        let output = Command::new(&python)
            .arg(repo_root().join("localstack/seed.py"))
            .args(["--endpoint", &endpoint(), "--account", &id])
            .arg(fixture)
            .output()
            .unwrap_or_else(|err| panic!("running {}: {err}", python.display()));
        assert!(
            output.status.success(),
            "seeding {} failed:\n{}",
            fixture.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let credentials_json: Value =
            serde_json::from_slice(&output.stdout).expect("the seeder prints credentials as JSON");
        let field = |name: &str| {
            credentials_json[name].as_str().unwrap_or_else(|| panic!("seeder output lacks {name}")).to_owned()
        };
        assert_eq!(field("account_id"), id);
        let credentials = BTreeMap::from([
            ("AWS_ACCESS_KEY_ID".to_owned(), field("access_key_id")),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), field("secret_access_key")),
            ("AWS_SESSION_TOKEN".to_owned(), field("session_token")),
        ]);
        Account { id, credentials, organization: credentials_json["organization"].clone() }
    }

    /// The scanner's credentials for this account, as environment variables.
    pub fn env(&self) -> Vec<(String, String)> {
        self.credentials.clone().into_iter().collect()
    }

    /// Runs `bulkhead scan` against this account over [`REGIONS`].
    pub fn scan(&self, args: &[&str]) -> Scan {
        self.scan_with_env(args, &[])
    }

    /// Runs `bulkhead scan` with no region selection: every enabled region.
    pub fn scan_every_region(&self, args: &[&str]) -> Scan {
        self.run_scan(args, &[], false)
    }

    pub fn scan_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Scan {
        self.run_scan(args, env, !args.contains(&"--regions"))
    }

    /// Runs `bulkhead scan` over [`REGIONS`] with `--endpoint-url ENDPOINT`
    /// (a [`FaultProxy`] in front of the emulator).
    pub fn scan_through(&self, endpoint: &str, args: &[&str]) -> Scan {
        self.scan(&[&["--endpoint-url", endpoint], args].concat())
    }

    fn run_scan(&self, args: &[&str], env: &[(&str, &str)], default_regions: bool) -> Scan {
        let output_dir = tempfile::tempdir().unwrap();
        let mut command = bulkhead();
        command
            .arg("scan")
            .args(["--output-dir", output_dir.path().to_str().unwrap()])
            .args(["--region", "us-east-1"])
            .envs(&self.credentials);
        if default_regions {
            command.args(["--regions", REGIONS]);
        }
        if !env.iter().any(|(name, _)| *name == "AWS_ENDPOINT_URL") && !args.contains(&"--endpoint-url") {
            command.args(["--endpoint-url", &endpoint()]);
        }
        command.args(args).envs(env.iter().copied());
        let started = Instant::now();
        let output = command.output().expect("running bulkhead");
        let mut scan = Scan::read(output, &output_dir.path().join("bulkhead.json"));
        scan.elapsed = started.elapsed();
        scan
    }
}

/// The bulkhead binary with a clean AWS environment.
pub fn bulkhead() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bulkhead"));
    for name in [
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        command.env_remove(name);
    }
    // No shared config or credentials file of the developer's leaks in.
    command
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

#[derive(Debug)]
pub struct Scan {
    pub exit_code: i32,
    pub stderr: String,
    pub report: Value,
    /// The report file as written.
    pub report_text: String,
    /// Wall time of the `bulkhead scan` process.
    pub elapsed: Duration,
    /// The OCSF report's events, when `--output-formats` asked for it (else empty).
    pub ocsf: Vec<Value>,
}

impl Scan {
    pub fn read(output: Output, report: &Path) -> Scan {
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let text = std::fs::read_to_string(report).unwrap_or_else(|err| {
            panic!("no report at {} ({err}); exit {:?}; stderr:\n{stderr}", report.display(), output.status.code())
        });
        Scan {
            exit_code: output.status.code().unwrap_or(-1),
            stderr,
            report: serde_json::from_str(&text).unwrap(),
            report_text: text,
            elapsed: Duration::ZERO,
            ocsf: std::fs::read_to_string(report.with_extension("ocsf.json"))
                .map(|ocsf| serde_json::from_str(&ocsf).expect("the OCSF report is JSON"))
                .unwrap_or_default(),
        }
    }

    pub fn findings(&self, check_id: &str) -> Vec<&Value> {
        self.report["findings"].as_array().unwrap().iter().filter(|finding| finding["check_id"] == check_id).collect()
    }

    /// `resource_id -> status` for one check in one region.
    pub fn statuses(&self, check_id: &str, region: &str) -> BTreeMap<String, String> {
        self.findings(check_id)
            .into_iter()
            .filter(|finding| finding["region"] == region)
            .map(|finding| (text(&finding["resource_id"]), text(&finding["status"])))
            .collect()
    }

    /// Every finding of `check_id` in `region`.
    pub fn statuses_findings(&self, check_id: &str, region: &str) -> Vec<&Value> {
        self.findings(check_id).into_iter().filter(|finding| finding["region"] == region).collect()
    }

    /// The one finding of `check_id` whose message mentions `needle`.
    pub fn finding_mentioning(&self, check_id: &str, needle: &str) -> &Value {
        let matching: Vec<&Value> =
            self.findings(check_id).into_iter().filter(|finding| text(&finding["message"]).contains(needle)).collect();
        assert_eq!(
            matching.len(),
            1,
            "{check_id}: expected one finding mentioning {needle:?}, got {matching:#?}\n{}",
            self.stderr
        );
        matching[0]
    }

    pub fn status_of(&self, check_id: &str, needle: &str) -> String {
        text(&self.finding_mentioning(check_id, needle)["status"])
    }
}

/// `localstack/faultproxy.py` between bulkhead and the emulator, stopped
/// when dropped (and by itself when this process's end closes its stdin).
#[derive(Debug)]
pub struct FaultProxy {
    pub endpoint: String,
    child: std::process::Child,
}

impl FaultProxy {
    /// Starts the proxy with `args` (`--seed`, rates, `--deny`, `--stall`...).
    pub fn start(args: &[&str]) -> FaultProxy {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;
        let python = repo_root().join("localstack/.venv/bin/python");
        let mut child = Command::new(&python)
            .arg(repo_root().join("localstack/faultproxy.py"))
            .args(["--upstream", &endpoint(), "--lifetime", "900"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| panic!("starting {}: {err}", python.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("reading the proxy's address");
        assert!(line.starts_with("http://127.0.0.1:"), "faultproxy {args:?} did not start: {line:?}");
        FaultProxy { endpoint: line.trim().to_owned(), child }
    }

    /// What the proxy injected so far: `{"throttle": 9, "forward": 39, ...}`
    /// plus the same per `decision:service:Operation@region`.
    pub fn stats(&self) -> BTreeMap<String, u64> {
        use std::io::{Read, Write};
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connecting to the proxy");
        write!(stream, "GET /__faultproxy/stats HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
        serde_json::from_str(body).unwrap_or_else(|err| panic!("proxy stats {body:?}: {err}"))
    }

    /// Injected faults of each kind, `forward` and per-call keys left out.
    pub fn faults(&self) -> BTreeMap<String, u64> {
        self.stats().into_iter().filter(|(key, _)| !key.contains(':') && key != "forward").collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}
