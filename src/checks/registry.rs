//! Every check bulkhead has, grouped by service, in the order they run.

use super::{Check, cloudtrail, ec2, ecr, ecs, iam};

pub static CHECKS: &[Check] = &[
    // EC2: security groups and network ACLs.
    ec2::ec2_securitygroup_allow_ingress_from_internet_to_all_ports::CHECK,
    ec2::ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22::CHECK,
    ec2::ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389::CHECK,
    ec2::ec2_networkacl_allow_ingress_any_port::CHECK,
    ec2::ec2_networkacl_allow_ingress_tcp_port_22::CHECK,
    ec2::ec2_networkacl_allow_ingress_tcp_port_3389::CHECK,
    ec2::ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports::CHECK,
    ec2::ec2_securitygroup_allow_ingress_from_internet_to_any_port::CHECK,
    ec2::ec2_securitygroup_allow_wide_open_public_ipv4::CHECK,
    ec2::ec2_securitygroup_default_restrict_traffic::CHECK,
    // ECR: the registry of each region, repositories and images.
    ecr::ecr_repositories_not_publicly_accessible::CHECK,
    ecr::ecr_images_signed::CHECK,
    ecr::ecr_registry_scan_images_on_push_enabled::CHECK,
    ecr::ecr_repositories_scan_images_on_push_enabled::CHECK,
    ecr::ecr_repositories_tag_immutability::CHECK,
    ecr::ecr_repositories_lifecycle_policy_enabled::CHECK,
    ecr::ecr_repositories_encrypted_with_kms::CHECK,
    ecr::ecr_repositories_scan_vulnerabilities_in_latest_image::CHECK,
    ecr::ecr_images_internet_exposed_no_vulnerabilities::CHECK,
    ecr::ecr_registry_policy_trusted_accounts_only::CHECK,
    ecr::ecr_repositories_policy_trusted_accounts_only::CHECK,
    // CloudTrail: coverage per region, then each trail.
    cloudtrail::cloudtrail_multi_region_enabled::CHECK,
    cloudtrail::cloudtrail_multi_region_enabled_logging_management_events::CHECK,
    cloudtrail::cloudtrail_log_file_validation_enabled::CHECK,
    cloudtrail::cloudtrail_kms_encryption_enabled::CHECK,
    cloudtrail::cloudtrail_cloudwatch_logging_enabled::CHECK,
    // ECS: task definitions (latest ACTIVE per family + every revision in use), services, clusters.
    ecs::ecs_task_definitions_no_privileged_containers::CHECK,
    ecs::ecs_task_definitions_host_namespace_not_shared::CHECK,
    ecs::ecs_task_definitions_host_networking_mode_users::CHECK,
    ecs::ecs_task_definitions_containers_readonly_access::CHECK,
    ecs::ecs_task_definitions_containers_non_root_user::CHECK,
    ecs::ecs_task_definitions_logging_enabled::CHECK,
    ecs::ecs_task_definitions_logging_block_mode::CHECK,
    ecs::ecs_task_definitions_no_environment_secrets::CHECK,
    ecs::ecs_task_definitions_images_pinned_by_digest::CHECK,
    ecs::ecs_task_definitions_images_from_trusted_registries::CHECK,
    // ECS: the images those task definitions name, read from the registry.
    ecs::ecs_task_definitions_images_no_secrets_in_config::CHECK,
    ecs::ecs_task_definitions_images_no_ssh::CHECK,
    ecs::ecs_task_definitions_images_not_outdated::CHECK,
    ecs::ecs_running_tasks_images_match_task_definition::CHECK,
    ecs::ecs_running_tasks_images_signed::CHECK,
    ecs::ecs_running_tasks_images_from_trusted_registries::CHECK,
    ecs::ecs_service_no_assign_public_ip::CHECK,
    ecs::ecs_service_fargate_latest_platform_version::CHECK,
    ecs::ecs_cluster_container_insights_enabled::CHECK,
    // IAM (global, once per account).
    iam::iam_root_mfa_enabled::CHECK,
    iam::iam_root_hardware_mfa_enabled::CHECK,
    iam::iam_no_root_access_key::CHECK,
    iam::iam_password_policy_minimum_length_14::CHECK,
    iam::iam_password_policy_reuse_24::CHECK,
    iam::iam_password_policy_uppercase::CHECK,
    iam::iam_password_policy_lowercase::CHECK,
    iam::iam_password_policy_number::CHECK,
    iam::iam_password_policy_symbol::CHECK,
    iam::iam_password_policy_expires_passwords_within_90_days_or_less::CHECK,
    iam::iam_user_mfa_enabled_console_access::CHECK,
    iam::iam_rotate_access_key_90_days::CHECK,
    iam::iam_user_accesskey_unused::CHECK,
    iam::iam_customer_attached_policy_no_administrative_privileges::CHECK,
    iam::iam_aws_attached_policy_no_administrative_privileges::CHECK,
];

pub fn find(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|check| check.id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::checks::metadata::{EMBEDDED, catalog};

    #[test]
    fn every_check_has_exactly_one_metadata_file_and_back() {
        let catalog = catalog().expect("all metadata parses");
        let code: BTreeSet<&str> = CHECKS.iter().map(|check| check.id).collect();
        let data: BTreeSet<&str> = catalog.keys().map(String::as_str).collect();
        assert_eq!(code.len(), CHECKS.len(), "a check is registered twice");
        assert_eq!(code, data, "registered checks and checks/<service>/<id>.toml differ");
    }

    #[test]
    fn check_id_is_the_file_name_and_starts_with_its_service() {
        for file in EMBEDDED {
            assert!(
                file.file_stem.starts_with(&format!("{}_", file.service)),
                "{} is not in the folder of its service",
                file.path
            );
            assert!(file.path.ends_with(&format!("checks/{}/{}.toml", file.service, file.file_stem)));
        }
    }

    #[test]
    fn sarif_rule_ids_are_unique_well_formed_and_frozen() {
        let catalog = catalog().unwrap();
        let mut seen = BTreeSet::new();
        for entry in catalog.values() {
            let id = &entry.metadata.sarif_id;
            let well_formed = id.len() == 6 && id.starts_with("BH") && id[2..].bytes().all(|b| b.is_ascii_digit());
            assert!(well_formed, "{}: sarif_id {id:?} is not BH and four digits", entry.id);
            assert!(seen.insert(id.as_str()), "{}: sarif_id {id} is taken by another check", entry.id);
        }
        assert_eq!(seen.len(), CHECKS.len(), "a sarif_id per registered check");
        // A rule id, once given, stays with its check: consumers key alerts on it.
        let frozen = include_str!("../../tests/fixtures/sarif-rule-ids.txt");
        let mut listed = BTreeSet::new();
        for line in frozen.lines().filter(|line| !line.starts_with('#') && !line.is_empty()) {
            let (sarif_id, check) = line.split_once(' ').unwrap();
            assert!(listed.insert(sarif_id), "{sarif_id} is listed twice in sarif-rule-ids.txt");
            if let Some(entry) = catalog.get(check) {
                assert_eq!(entry.metadata.sarif_id, sarif_id, "{check} changed its frozen SARIF rule id");
            }
        }
        for entry in catalog.values() {
            assert!(
                listed.contains(entry.metadata.sarif_id.as_str()),
                "{}: add `{} {}` to tests/fixtures/sarif-rule-ids.txt",
                entry.id,
                entry.metadata.sarif_id,
                entry.id
            );
        }
    }

    #[test]
    fn every_check_declares_what_it_needs() {
        for check in CHECKS {
            assert!(!check.needs().is_empty(), "{} needs nothing collected", check.id);
        }
    }
}

#[cfg(test)]
mod compliance_tests {
    use crate::checks::metadata::{ComplianceRef, catalog, frameworks};

    #[test]
    fn frameworks_map_to_known_checks_with_version_specific_numbers() {
        let catalog = catalog().expect("frameworks name only known checks");
        let ssh = &catalog["ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"].compliance;
        let has = |framework: &str, control: &str| {
            ssh.contains(&ComplianceRef { framework: framework.into(), control: control.into() })
        };
        // CIS v4.0 inserted 5.1.1/5.1.2, which moved the security group controls by one.
        assert!(has("cis-aws-3.0", "5.2") && has("cis-aws-3.0", "5.3"));
        assert!(has("cis-aws-4.0.1", "5.3") && has("cis-aws-4.0.1", "5.4"));
        assert!(has("cis-aws-5.0", "5.3") && has("aws-fsbp", "EC2.13"));
        // The default security group control moved from 5.4 (v3.0) to 5.5 (v4.0.1, v5.0).
        let default_sg = &catalog["ec2_securitygroup_default_restrict_traffic"].compliance;
        let refs = |framework: &str| -> Vec<&str> {
            default_sg.iter().filter(|r| r.framework == framework).map(|r| r.control.as_str()).collect()
        };
        assert_eq!(refs("cis-aws-3.0"), ["5.4"]);
        assert_eq!(refs("cis-aws-4.0.1"), ["5.5"]);
        assert_eq!(refs("cis-aws-5.0"), ["5.5"]);
        assert_eq!(refs("aws-fsbp"), ["EC2.2"]);
        let validation = &catalog["cloudtrail_log_file_validation_enabled"].compliance;
        for framework in ["cis-aws-3.0", "cis-aws-4.0.1", "cis-aws-5.0"] {
            assert!(validation.contains(&ComplianceRef { framework: framework.into(), control: "3.2".into() }));
        }
        assert!(validation.contains(&ComplianceRef { framework: "aws-fsbp".into(), control: "CloudTrail.4".into() }));
        let ids: Vec<String> = frameworks().unwrap().into_iter().map(|(framework, _)| framework.id).collect();
        assert_eq!(ids, ["aws-fsbp", "cis-aws-3.0", "cis-aws-4.0.1", "cis-aws-5.0"]);
    }

    #[test]
    fn iam_controls_are_numbered_per_cis_version() {
        let catalog = catalog().unwrap();
        let refs = |check: &str| catalog[check].compliance.clone();
        let has = |check: &str, framework: &str, control: &str| {
            refs(check).contains(&ComplianceRef { framework: framework.into(), control: control.into() })
        };
        // CIS v5.0 dropped 1.3 (security questions), moving section 1 up by one.
        for (framework, root_mfa, root_key, rotate) in [
            ("cis-aws-3.0", "1.5", "1.4", "1.14"),
            ("cis-aws-4.0.1", "1.5", "1.4", "1.14"),
            ("cis-aws-5.0", "1.4", "1.3", "1.13"),
        ] {
            assert!(has("iam_root_mfa_enabled", framework, root_mfa), "{framework}");
            assert!(has("iam_no_root_access_key", framework, root_key), "{framework}");
            assert!(has("iam_rotate_access_key_90_days", framework, rotate), "{framework}");
        }
        assert!(has("ecs_task_definitions_no_environment_secrets", "aws-fsbp", "ECS.8"));
        assert!(has("iam_password_policy_symbol", "aws-fsbp", "IAM.7"));
        assert!(refs("ecs_task_definitions_images_pinned_by_digest").is_empty(), "no framework has this control");
    }
}
