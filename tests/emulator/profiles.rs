//! Profiles from the AWS config files, against the emulator: a profile that
//! assumes a role makes its own STS call, which `--endpoint-url` must reach
//! as every other call does.

use std::fs;
use std::path::Path;

use crate::support::{Account, bulkhead, endpoint, text};

/// A config file whose `audit` profile assumes `role/bulkhead-audit` in
/// `account` with the static (made-up) keys of the `source` profile.
fn write_profiles(dir: &Path, account: &str) -> (String, String) {
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    fs::write(
        &config,
        format!(
            "[profile source]\nregion = us-east-1\n\n\
             [profile audit]\nrole_arn = arn:aws:iam::{account}:role/bulkhead-audit\n\
             source_profile = source\nrole_session_name = bulkhead-test\nregion = us-east-1\n"
        ),
    )
    .unwrap();
    fs::write(
        &credentials,
        "[source]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    .unwrap();
    (config.to_str().unwrap().to_owned(), credentials.to_str().unwrap().to_owned())
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_assume_role_profile_reaches_the_emulator_through_endpoint_url() {
    let account = Account::seeded("empty");
    let dir = tempfile::tempdir().unwrap();
    let (config, credentials) = write_profiles(dir.path(), &account.id);
    let out = dir.path().join("out");
    let output = bulkhead()
        .args(["scan", "--profile", "audit", "--endpoint-url", &endpoint()])
        .args(["--regions", "us-east-1", "--checks", "ec2_networkacl_allow_ingress_tcp_port_22"])
        .args(["--output-dir", out.to_str().unwrap(), "--max-attempts", "2", "--connect-timeout", "5"])
        // bulkhead() removed AWS_ENDPOINT_URL and every credential variable:
        // only --endpoint-url says where the emulator is.
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        // Whatever still went to AWS itself (HTTPS) would meet a proxy that
        // is not there instead of the internet; the emulator is plain HTTP.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("https_proxy", "http://127.0.0.1:9")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(matches!(output.status.code(), Some(0 | 3)), "exit {:?}:\n{stderr}", output.status.code());
    let report: serde_json::Value = serde_json::from_slice(&fs::read(out.join("bulkhead.json")).unwrap()).unwrap();
    assert_eq!(report["scan"]["accounts"], serde_json::json!([account.id]), "{stderr}");
    let principal = text(&report["scan"]["principal_arn"]);
    assert!(principal.contains("assumed-role/bulkhead-audit"), "scanned as {principal}");
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "the default NACL of us-east-1");
}
