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

/// As with the AWS CLI, a profile named on the command line wins over
/// credentials in the environment: here the environment holds another
/// account's keys, and the scan must still be of the profile's account.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_named_profile_wins_over_credentials_in_the_environment() {
    let profiled = Account::seeded("empty");
    let other = Account::seeded("empty");
    let dir = tempfile::tempdir().unwrap();
    let (config, credentials) = write_profiles(dir.path(), &profiled.id);
    let out = dir.path().join("out");
    let output = bulkhead()
        .args(["scan", "--profile", "audit", "--endpoint-url", &endpoint()])
        .args(["--regions", "us-east-1", "--checks", "ec2_networkacl_allow_ingress_tcp_port_22"])
        .args(["--output-dir", out.to_str().unwrap(), "--max-attempts", "2"])
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .envs(other.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(matches!(output.status.code(), Some(0 | 3)), "exit {:?}:\n{stderr}", output.status.code());
    let report: serde_json::Value = serde_json::from_slice(&fs::read(out.join("bulkhead.json")).unwrap()).unwrap();
    assert_eq!(
        report["scan"]["accounts"],
        serde_json::json!([profiled.id]),
        "--profile audit, not the environment's keys of {}: {stderr}",
        other.id
    );
    let principal = text(&report["scan"]["principal_arn"]);
    assert!(principal.contains("assumed-role/bulkhead-audit"), "scanned as {principal}");
}

/// A profile that is not in the config files is a usage error (exit 2),
/// before any AWS call, that names the profiles the files do have; also
/// when the environment holds credentials that would have been used.
#[test]
fn an_unknown_profile_is_a_usage_error_naming_the_profiles_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let (config, credentials) = write_profiles(dir.path(), "123456789012");
    let out = dir.path().join("out");
    let commands: [&[&str]; 2] = [&["scan", "--output-dir", out.to_str().unwrap()], &["accounts", "--organization"]];
    for command in commands {
        let output = bulkhead()
            .args(command)
            .args(["--profile", "nope", "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"])
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(stderr.contains("nope") && stderr.contains("audit, source"), "{command:?}: {stderr}");
        assert!(!stderr.contains("sts:GetCallerIdentity"), "no call was made: {stderr}");
    }
    assert!(!out.exists(), "no report is written");
}
