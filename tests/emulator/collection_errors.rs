//! A service that cannot be reached: its checks are ERROR, never PASS, and
//! the rest of the scan completes.

use crate::support::{Account, endpoint, text};

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_unreachable_service_gives_error_findings_and_exit_4() {
    let account = Account::seeded("ecr_repositories_not_publicly_accessible");
    let env = [
        ("AWS_ENDPOINT_URL", endpoint()),
        // Nothing listens on the discard port: every ECR call fails to connect.
        ("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:9".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // No FAIL of these services is critical: the gate judges incompleteness alone.
    let only = ["--services", "ecr,ec2,cloudtrail", "--fail-on", "critical"];
    let scan = account.scan_with_env(&[&["--max-attempts", "2", "--connect-timeout", "2"], &only[..]].concat(), &env);

    assert_eq!(scan.exit_code, 4, "an incomplete scan exits 4: {}", scan.stderr);
    for check in ["ecr_repositories_not_publicly_accessible", "ecr_images_signed"] {
        let findings = scan.findings(check);
        assert_eq!(findings.len(), 3, "one ERROR per region for {check}");
        for finding in findings {
            assert_eq!(finding["status"], "ERROR", "{finding}");
            assert!(text(&finding["message"]).contains("ecr:DescribeRepositories failed"), "{finding}");
        }
    }
    // Everything else was still evaluated.
    let others = scan.findings("ec2_networkacl_allow_ingress_tcp_port_22");
    assert!(!others.is_empty() && others.iter().all(|f| f["status"] != "ERROR"));
    assert_eq!(scan.findings("cloudtrail_multi_region_enabled").len(), 3);

    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    // Every ECR call of every region failed: the repository listing and the
    // registry-level calls (scanning configuration, registry policy,
    // signing configuration).
    let listings = errors.iter().filter(|error| error["operation"] == "DescribeRepositories").count();
    assert_eq!(listings, 3, "{errors:#?}");
    for operation in ["GetRegistryScanningConfiguration", "GetRegistryPolicy", "GetSigningConfiguration"] {
        assert_eq!(errors.iter().filter(|error| error["operation"] == operation).count(), 3, "{errors:#?}");
    }
    for error in errors {
        assert_eq!(error["service"], "ecr");
        assert_eq!(error["kind"], "unreachable");
        assert_eq!(error["account_id"], account.id);
    }
    let registry = scan.findings("ecr_registry_scan_images_on_push_enabled");
    assert_eq!(registry.len(), 3);
    assert!(registry.iter().all(|finding| finding["status"] == "ERROR"), "never PASS: {registry:#?}");
    assert!(scan.stderr.contains("AWS call(s) failed"), "{}", scan.stderr);

    // A FAIL at the gate is certain whatever could not be read: it wins
    // over the incomplete scan.
    let failing = account.scan_with_env(&["--max-attempts", "1", "--connect-timeout", "2"], &env);
    assert_eq!(failing.exit_code, 3, "the default NACLs FAIL: {}", failing.stderr);
    // --allow-errors lets the gate judge the findings alone.
    let allowed = account.scan_with_env(&["--max-attempts", "1", "--connect-timeout", "2", "--allow-errors"], &env);
    assert_eq!(allowed.exit_code, 3, "the default NACLs still FAIL: {}", allowed.stderr);
}
