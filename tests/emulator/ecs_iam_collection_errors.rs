//! ECS and IAM endpoints that cannot be reached: their checks are ERROR,
//! never PASS, and nothing else is affected.

use crate::support::{Account, endpoint, text};

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn unreachable_ecs_and_iam_give_error_findings() {
    let account = Account::seeded("ecs");
    let env = [
        ("AWS_ENDPOINT_URL", endpoint()),
        ("AWS_ENDPOINT_URL_ECS", "http://127.0.0.1:9".to_owned()),
        ("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let scan = account.scan_with_env(
        &[
            "--checks",
            "ecs_task_definitions_no_privileged_containers,ecs_service_no_assign_public_ip,iam_root_mfa_enabled,\
             iam_password_policy_minimum_length_14,iam_user_mfa_enabled_console_access,ec2_networkacl_allow_ingress_tcp_port_22",
            "--max-attempts",
            "1",
            "--connect-timeout",
            "2",
        ],
        &env,
    );
    // Its FAILs pass the gate: a certain failure wins over the incomplete scan.
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);

    let ecs = scan.findings("ecs_task_definitions_no_privileged_containers");
    assert_eq!(ecs.len(), 3, "one ERROR per region: {ecs:#?}");
    for finding in ecs {
        assert_eq!(finding["status"], "ERROR");
        assert!(text(&finding["message"]).contains("ecs:ListTaskDefinitionFamilies failed"), "{finding}");
    }
    let services = scan.findings("ecs_service_no_assign_public_ip");
    assert_eq!(services.len(), 3, "one ERROR per region: {services:#?}");
    assert!(services.iter().all(|f| f["status"] == "ERROR"), "{services:#?}");
    for check in
        ["iam_root_mfa_enabled", "iam_password_policy_minimum_length_14", "iam_user_mfa_enabled_console_access"]
    {
        let findings = scan.findings(check);
        assert_eq!(findings.len(), 1, "{check}: {findings:#?}");
        assert_eq!(findings[0]["status"], "ERROR", "{check}: {}", findings[0]);
        assert!(text(&findings[0]["message"]).contains("iam:"), "{}", findings[0]);
    }
    let acls = scan.findings("ec2_networkacl_allow_ingress_tcp_port_22");
    assert!(acls.len() >= 3, "every region's default network ACL at least: {acls:#?}");
    assert!(acls.iter().all(|f| f["status"] != "ERROR"), "{acls:#?}");
    let errors = scan.report["scan"]["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["service"] == "iam" && e["operation"] == "GetAccountPasswordPolicy"));
    assert!(errors.iter().any(|e| e["service"] == "ecs" && e["operation"] == "ListClusters"));
}
