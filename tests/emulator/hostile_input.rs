//! Hostile input from AWS and secrets in the environment: names with markup,
//! quotes, control characters, RTL overrides and 64 KiB reach the report
//! intact and inert; a response that cannot be parsed is ERROR; no secret
//! bulkhead finds and no credential it holds appears in any file it writes
//! or in its log, and every file it writes is owner-only.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::support::{Account, bulkhead, endpoint, repo_root, text};

const SSH: &str = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22";
const NACL: &str = "ec2_networkacl_allow_ingress_tcp_port_22";

/// tests/fixtures/hostile_names.yaml plus a security group with a 64 KiB name.
fn hostile_fixture(dir: &Path, long_name: &str) -> std::path::PathBuf {
    let text = fs::read_to_string(repo_root().join("tests/fixtures/hostile_names.yaml")).unwrap();
    let mut fixture: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let groups = fixture["regions"]["eu-west-1"]["security_groups"].as_sequence_mut().unwrap();
    let mut long = serde_yaml_ng::Mapping::new();
    long.insert("name".into(), long_name.into());
    groups.push(long.into());
    let path = dir.join("hostile_names.yaml");
    fs::write(&path, serde_yaml_ng::to_string(&fixture).unwrap()).unwrap();
    path
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn hostile_names_reach_the_report_intact_and_inert() {
    let dir = tempfile::tempdir().unwrap();
    let long_name = format!("long-{}", "L".repeat(64 * 1024));
    let account = Account::seeded_from(&hostile_fixture(dir.path(), &long_name));
    let scan = account.scan(&["--checks", &format!("{SSH},{NACL}"), "--regions", "eu-west-1,ap-southeast-2"]);

    let names = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "quotes ' \" ` and \\ backslash {{ template }} ${env}",
        "ctl\ttab\nnewline\rcr\u{7f}del\u{85}nel\u{9b}csi\u{200b}zwsp",
        "rtl \u{202e}gnp.exe",
        long_name.as_str(),
    ];
    let messages: Vec<String> =
        scan.findings(SSH).iter().filter(|f| f["region"] == "eu-west-1").map(|f| text(&f["message"])).collect();
    for name in names {
        assert!(
            messages.iter().any(|message| message.contains(&format!("({name})"))),
            "{:?} did not arrive intact",
            name.chars().take(60).collect::<String>()
        );
    }
    let nacl = "<b>acl</b> \u{202e} \" ' & %s %n";
    assert!(scan.findings(NACL).iter().any(|f| text(&f["message"]).contains(&format!("\"{nacl}\""))));

    // Inert: the report is JSON whose every control character is escaped.
    let raw = scan.report_text.as_bytes();
    assert!(raw.iter().all(|&byte| byte >= 0x20 || byte == b'\n'), "a raw control character in the report");
    assert!(!scan.stderr.contains("<script>"), "resource names stay out of the log: {}", scan.stderr);

    // ESC cannot travel in XML: the response does not parse, and that is ERROR.
    let unreadable: Vec<&Value> = scan.findings(SSH).into_iter().filter(|f| f["region"] == "ap-southeast-2").collect();
    assert_eq!(unreadable.len(), 1, "{unreadable:#?}");
    assert_eq!(unreadable[0]["status"], "ERROR");
    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["kind"], "malformed_response");
    assert_eq!(errors[0]["operation"], "DescribeSecurityGroups");
    // Its FAILs pass the gate: a certain failure wins over the incomplete scan.
    assert_eq!(scan.exit_code, 3);
}

/// The secrets planted in tests/fixtures/planted_secrets.yaml, by where they
/// are planted: for each value, pieces that only it holds (a value's
/// punctuation may be escaped in one format or another; these pieces never are).
const PLANTED: &[(&str, &[&str])] = &[
    (
        "task definition environment",
        &[
            "AKIAPLANTED0TASKENV0",
            "TaskEnvKey",
            "nOaJXQ4ldV",
            "N4bTRCpnz27uGVxb7c",
            "TaskEnvPw",
            "TaskEnvDBpw7Qx",
            "TaskEnvSlackT0ken",
            "TaskEnvGitHubT0ken",
            "TaskEnvPrivateKeyBody",
        ],
    ),
    ("task definition log options", &["LogOptsApiKey"]),
    (
        "image config Env",
        &[
            "AKIAPLANTED0IMAGEENV",
            "ImageEnvKey",
            "JWJzx7gx4P",
            "dg07a1JvDmGUwF4Fn",
            "ImageEnvPw",
            "ImageEnvDBpw7Qx",
            "ImageEnvSlackT0ken",
            "ImageEnvGitHubT0ken",
            "ImageEnvPrivateKeyBody",
        ],
    ),
    (
        "image config history",
        &[
            "HistoryKey",
            "FZBaeGVBH4",
            "nFL04PZxfkb2zGc80Z",
            "AKIAPLANTED0HISTORY0",
            "HistoryGitHubT0ken",
            "HistorySlackT0ken",
            "HistoryDBpw7Qx",
            "HistoryPrivateKeyBody",
        ],
    ),
    ("image config command", &["CommandGitHubT0ken"]),
    (
        "image layers",
        &["AKIAPLANTED0LAYERS00", "LayerAwsKey0Qm4", "LayerPrivateKeyBody", "LayerNpmT0ken", "LayerGitHubT0ken"],
    ),
];

/// The scanner's own credentials, canaries too (the emulator does not check signatures).
const SCANNER_SECRET: &str = "CANARYsecretKEY0b4d2c9e7f1a3d5c7e9f0a1b2c3d4e5f";
const SCANNER_TOKEN: &str = "CANARYsessionTOKEN9f8e7d6c5b4a39281706f5e4d3c2b1a0";

const EVERY_FORMAT: &str = "json,html,ocsf,junit,sarif,csv,asff,compliance";

/// Every file under `dir`, with its mode and contents (gzip decompressed).
fn written_files(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    use std::io::Read as _;
    use std::os::unix::fs::PermissionsExt as _;
    let mut files = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let metadata = fs::symlink_metadata(&path).unwrap();
            if metadata.is_dir() {
                folders.push(path);
                continue;
            }
            let mut bytes = fs::read(&path).unwrap();
            if bytes.starts_with(&[0x1f, 0x8b]) {
                let mut text = Vec::new();
                flate2::read::GzDecoder::new(bytes.as_slice()).read_to_end(&mut text).unwrap();
                bytes = text;
            }
            files.push((path.display().to_string(), metadata.permissions().mode() & 0o777, bytes));
        }
    }
    files
}

/// What of the planted secrets and the scanner's credentials `bytes` shows.
fn leaks(name: &str, bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut found = Vec::new();
    for (place, needles) in PLANTED {
        found.extend(needles.iter().filter(|needle| text.contains(*needle)).map(|needle| {
            let line = text.lines().find(|line| line.contains(*needle)).unwrap_or_default();
            let at = line.find(*needle).unwrap_or_default();
            let from = (0..=at.saturating_sub(120)).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
            let context: String = line[from..].chars().take(200).collect();
            format!("{name}: {needle} (planted in the {place}) in `{context}`")
        }));
    }
    for canary in [SCANNER_SECRET, SCANNER_TOKEN, "CANARYsecret", "CANARYsession"] {
        if text.contains(canary) {
            found.push(format!("{name}: the scanner's credential {canary}"));
        }
    }
    found
}

/// Secrets planted in a task definition's environment and log options and in
/// an image's config (Env, history, command), and the scanner's own
/// credentials, appear in no file bulkhead writes (every report format, the
/// saved inventory, the store, and an offline evaluation of that inventory)
/// nor on stdout or stderr, with `-vv` and with `RUST_LOG=trace`; the checks
/// still find and name them; every file written is owner-only (0600).
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn no_secret_reaches_any_output_or_log() {
    let dir = tempfile::tempdir().unwrap();
    let account = Account::seeded("planted_secrets");
    let access_key = account.env().into_iter().find(|(name, _)| name == "AWS_ACCESS_KEY_ID").unwrap().1;

    let mut problems = Vec::new();
    for (verbosity, rust_log) in [("-vv", None), ("-v", Some("trace"))] {
        let output_dir = dir.path().join(format!("out{verbosity}"));
        let inventory = output_dir.join("inventory.json.gz");
        let mut scan = bulkhead();
        scan.arg(verbosity)
            .args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1", "--regions", "eu-west-1"])
            .args(["--output-formats", EVERY_FORMAT, "--output-dir", output_dir.to_str().unwrap()])
            .args(["--save-inventory", inventory.to_str().unwrap()])
            .env("AWS_ACCESS_KEY_ID", &access_key)
            .env("AWS_SECRET_ACCESS_KEY", SCANNER_SECRET)
            .env("AWS_SESSION_TOKEN", SCANNER_TOKEN)
            .env_remove("RUST_LOG");
        // The saved inventory evaluated offline, into the same store.
        let evaluated = output_dir.join("evaluated");
        let mut evaluate = bulkhead();
        evaluate
            .arg(verbosity)
            .args(["evaluate", "--inventory", inventory.to_str().unwrap(), "--output-formats", EVERY_FORMAT])
            .args(["--output-dir", evaluated.to_str().unwrap()])
            .args(["--store", output_dir.join("bulkhead.db").to_str().unwrap()])
            .env_remove("RUST_LOG");
        if let Some(filter) = rust_log {
            scan.env("RUST_LOG", filter);
            evaluate.env("RUST_LOG", filter);
        }
        let label = format!("{verbosity} RUST_LOG={}", rust_log.unwrap_or("(unset)"));
        let mut streams = Vec::new();
        for (what, command) in [("scan", &mut scan), ("evaluate", &mut evaluate)] {
            let output = command.output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert_eq!(output.status.code(), Some(3), "{label} {what}: {stderr}");
            if rust_log.is_some() && what == "scan" {
                assert!(stderr.lines().count() > 100, "trace logging was on");
            }
            streams.push((format!("{what} stdout"), output.stdout));
            streams.push((format!("{what} stderr"), output.stderr));
        }

        let files = written_files(&output_dir);
        for name in ["bulkhead.json", "bulkhead.html", "bulkhead.csv", "bulkhead.db", "inventory.json.gz"] {
            assert!(files.iter().any(|(path, _, _)| path.ends_with(name)), "{label}: no {name} written");
        }
        for (path, mode, bytes) in &files {
            if *mode != 0o600 {
                problems.push(format!("{label}: {path} has mode {mode:o}, not 600"));
            }
            problems.extend(leaks(&format!("{label} {path}"), bytes));
        }
        for (name, bytes) in &streams {
            problems.extend(leaks(&format!("{label} {name}"), bytes));
        }

        // The scan saw the account, and the checks found the secrets and named them.
        let report: Value = serde_json::from_slice(&fs::read(output_dir.join("bulkhead.json")).unwrap()).unwrap();
        let message = |check: &str, resource: &str| {
            let finding = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["check_id"] == check && f["resource_id"].as_str().unwrap().starts_with(resource))
                .unwrap_or_else(|| panic!("{label}: no {check} finding of {resource}"));
            assert_eq!(finding["status"], "FAIL", "{label}: {finding:#}");
            text(&finding["message"])
        };
        assert!(
            String::from_utf8_lossy(&fs::read(output_dir.join("bulkhead.json")).unwrap())
                .contains("resource-name-canary-7c1e")
        );
        let environment = message("ecs_task_definitions_no_environment_secrets", "leaky:1");
        for named in [
            "AWS_ACCESS_KEY_ID (an AWS access key id)",
            "AWS_SECRET_ACCESS_KEY (an AWS secret access key)",
            "DB_PASSWORD (a random-looking value under a secret-like name)",
            "ORDERS_DB (a connection string with a password)",
            "SLACK_BOT_TOKEN (a Slack token or webhook)",
            "GITHUB_TOKEN (a GitHub token)",
            "TLS_KEY (a private key block)",
        ] {
            assert!(environment.contains(named), "{label}: {named} not in {environment}");
        }
        let image = message("ecs_task_definitions_images_no_secrets_in_config", "app@sha256:");
        for named in [
            "environment variable SSH_KEY (a private key block)",
            "environment variable DB_PASSWORD (a random-looking value under a secret-like name)",
            "history step 1 (ENV AWS_SECRET_ACCESS_KEY: an AWS secret access key)",
            "history step 2 (ENV AWS_ACCESS_KEY_ID: an AWS access key id)",
            "history step 3 (RUN GITHUB_TOKEN: a GitHub token)",
            "history step 4 (RUN: a connection string with a password)",
            "history step 5 (RUN: a private key block)",
        ] {
            assert!(image.contains(named), "{label}: {named} not in {image}");
        }
        let ssh = message("ecs_task_definitions_images_no_ssh", "app@sha256:");
        assert!(ssh.contains("its command starts sshd"), "{label}: {ssh}");
        let layers = message("ecr_images_no_secrets_in_layers", "app@sha256:");
        for named in [
            "/root/.aws/credentials (an AWS shared credentials file with a secret access key, rule aws_credentials_file)",
            "/root/.ssh/id_ed25519 (a private key block, rule private_key) in layer 1",
            "deleted in layer 2 but still shipped in layer 1",
            "/app/.npmrc (an npm config with a registry token or password, rule npmrc_auth_token)",
            "/app/settings.py (a GitHub token, rule github_token)",
        ] {
            assert!(layers.contains(named), "{label}: {named} not in {layers}");
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}
