//! What a scan that cannot start prints: one readable line per cause and a
//! hint, never the SDK's debug dump (that is for `-v`). The wording of the
//! common cases is pinned here.

use crate::support::{Account, FaultProxy, bulkhead, endpoint};

fn failed_scan(command: &mut std::process::Command) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = command.args(["--output-dir", dir.path().to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no report");
    stderr
}

fn assert_readable(stderr: &str) {
    for dump in ["DispatchFailure(", "ConnectorError {", "ProviderChainError", "Some("] {
        assert!(!stderr.contains(dump), "the SDK's debug form leaked into the message:\n{stderr}");
    }
    for line in stderr.lines() {
        assert!(line.len() <= 320, "a line of {} characters:\n{stderr}", line.len());
    }
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn no_credentials_say_how_to_provide_them() {
    let stderr = failed_scan(bulkhead().args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1"]));
    assert!(
        stderr.starts_with(
            "bulkhead: error: finding out which account the credentials belong to\n\
             \x20 caused by: sts:GetCallerIdentity in us-east-1 failed\n\
             \x20 caused by: no credentials found in chain. Attempted:\n\
             \x20     Environment: the credential provider was not enabled: environment variable not set\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "\n  hint: no AWS credentials were found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and \
             AWS_SESSION_TOKEN for temporary ones), or name a profile of ~/.aws/config with --profile NAME or \
             AWS_PROFILE; for an SSO profile run `aws sso login --profile NAME` first.\n"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("after two rounds"), "no credentials are not retried: {stderr}");
    assert_readable(&stderr);
}

#[test]
fn an_unreachable_endpoint_is_named_in_the_hint() {
    let stderr = failed_scan(
        bulkhead()
            .args(["scan", "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1", "--max-attempts", "1"])
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "test"),
    );
    assert_eq!(
        stderr,
        "bulkhead: error: finding out which account the credentials belong to\n\
         \x20 caused by: sts:GetCallerIdentity in us-east-1 failed (endpoint unreachable)\n\
         \x20 caused by: tcp connect error\n\
         \x20 caused by: Connection refused (os error 111)\n\
         \x20 hint: http://127.0.0.1:1 could not be reached: check --endpoint-url / AWS_ENDPOINT_URL (is the \
         emulator running on that port?).\n\
         \x20 (-v prints the SDK's whole error)\n"
    );

    // -v adds the SDK's error as it came, wrappers and debug form included.
    let verbose = failed_scan(
        bulkhead()
            .args([
                "scan",
                "-v",
                "--endpoint-url",
                "http://127.0.0.1:1",
                "--region",
                "us-east-1",
                "--max-attempts",
                "1",
            ])
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "test"),
    );
    assert!(verbose.contains("  the SDK's error: dispatch failure: io error: "), "{verbose}");
    assert!(verbose.contains("DispatchFailure("), "{verbose}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn access_denied_names_the_missing_action_and_the_policy() {
    let account = Account::seeded("empty");
    let proxy = FaultProxy::start(&["--deny", "ec2:DescribeRegions"]);
    let stderr = failed_scan(
        bulkhead()
            .args(["scan", "--endpoint-url", &proxy.endpoint, "--region", "us-east-1", "--max-attempts", "1"])
            .envs(account.env()),
    );
    assert_eq!(
        stderr,
        "bulkhead: error: listing the account's enabled regions (pass --regions to skip this)\n\
         \x20 caused by: ec2:DescribeRegions in us-east-1 failed (access denied)\n\
         \x20 caused by: UnauthorizedOperation: You are not authorized to perform: ec2:DescribeRegions.\n\
         \x20 hint: the credentials may not call ec2:DescribeRegions. docs/iam-policy.json is the least-privilege \
         policy bulkhead needs (the AWS managed SecurityAudit policy covers all but ecr:BatchGetImage); attach \
         it to the principal that runs the scan.\n\
         \x20 (-v prints the SDK's whole error)\n"
    );
    assert_readable(&stderr);
}
