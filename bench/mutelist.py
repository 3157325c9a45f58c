#!/usr/bin/env python3
"""Writes a large mutelist for measuring how bulkhead loads and applies one.

    bench/mutelist.py --entries 200000 > BIG.yaml
    bulkhead evaluate --inventory tests/fixtures/inventories/demo-v1.json.gz --mutelist BIG.yaml

The shape is an organisation's: ENTRIES / 50 accounts (the demo inventory's
two among them) with 50 checks each, every check key a real check id; each
entry names one region (a fifth of them every region, a tenth a regex over
the eu regions) and one or two resources by id or ARN (one in fifty a
regex), with a reason, and one in ten an expiry date. A few entries under
"*" apply to every account. A fifth of the demo accounts' checks are muted
whole, so that the demo's findings meet entries that mute them. The file is
the same for the same arguments.
"""

import argparse
import random
import sys

CHECKS = [
    "cloudtrail_cloudwatch_logging_enabled", "cloudtrail_kms_encryption_enabled",
    "cloudtrail_log_file_validation_enabled", "cloudtrail_multi_region_enabled",
    "cloudtrail_multi_region_enabled_logging_management_events", "ec2_networkacl_allow_ingress_any_port",
    "ec2_networkacl_allow_ingress_tcp_port_22", "ec2_networkacl_allow_ingress_tcp_port_3389",
    "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
    "ec2_securitygroup_allow_ingress_from_internet_to_any_port",
    "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports",
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389", "ec2_securitygroup_allow_wide_open_public_ipv4",
    "ec2_securitygroup_default_restrict_traffic", "ecr_images_internet_exposed_no_vulnerabilities",
    "ecr_images_signed", "ecr_registry_policy_trusted_accounts_only", "ecr_registry_scan_images_on_push_enabled",
    "ecr_repositories_encrypted_with_kms", "ecr_repositories_lifecycle_policy_enabled",
    "ecr_repositories_not_publicly_accessible", "ecr_repositories_policy_trusted_accounts_only",
    "ecr_repositories_scan_images_on_push_enabled", "ecr_repositories_scan_vulnerabilities_in_latest_image",
    "ecr_repositories_tag_immutability", "ecs_cluster_container_insights_enabled",
    "ecs_running_tasks_images_from_trusted_registries", "ecs_running_tasks_images_match_task_definition",
    "ecs_running_tasks_images_signed", "ecs_service_fargate_latest_platform_version",
    "ecs_service_no_assign_public_ip", "ecs_task_definitions_containers_non_root_user",
    "ecs_task_definitions_containers_readonly_access", "ecs_task_definitions_host_namespace_not_shared",
    "ecs_task_definitions_host_networking_mode_users", "ecs_task_definitions_images_from_trusted_registries",
    "ecs_task_definitions_images_no_secrets_in_config", "ecs_task_definitions_images_no_ssh",
    "ecs_task_definitions_images_not_outdated", "ecs_task_definitions_images_pinned_by_digest",
    "ecs_task_definitions_logging_block_mode", "ecs_task_definitions_logging_enabled",
    "ecs_task_definitions_no_environment_secrets", "ecs_task_definitions_no_privileged_containers",
    "iam_aws_attached_policy_no_administrative_privileges",
    "iam_customer_attached_policy_no_administrative_privileges", "iam_no_root_access_key",
    "iam_root_mfa_enabled", "iam_user_mfa_enabled_console_access",
]
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
DEMO_ACCOUNTS = ["123456789012", "444455556666"]


def entry(rng, account, check, n):
    if account in DEMO_ACCOUNTS and n % 5 == 0:
        # Every resource of the check in every region: these mute findings of the demo inventory.
        return [f'        "{check}":', '          Regions: ["*"]', '          Resources: ["*"]',
                f'          Reason: "accepted by change SEC-{n}"']
    region = rng.random()
    regions = '"*"' if region < 0.2 else '"eu-.*"' if region < 0.3 else f'"{rng.choice(REGIONS)}"'
    resources = []
    for _ in range(rng.choice([1, 1, 2])):
        kind = rng.random()
        if kind < 0.02:
            resources.append(f'"^sg-0{n % 4096:03x}[0-9a-f]+$"')
        elif kind < 0.5:
            resources.append(f'"sg-{rng.getrandbits(68):017x}"')
        else:
            region_name = rng.choice(REGIONS)
            owner = DEMO_ACCOUNTS[0] if account == "*" else account
            resources.append(f'"arn:aws:ecr:{region_name}:{owner}:repository/team-{n % 97}/service-{n}"')
    lines = [
        f'        "{check}":',
        f"          Regions: [{regions}]",
        f"          Resources: [{', '.join(resources)}]",
        f'          Reason: "accepted by change SEC-{n} (owner team-{n % 97})"',
    ]
    if rng.random() < 0.1:
        lines.append(f"          Expires: 20{rng.randint(25, 35)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    # Under "*", a handful of checks only: rules for every account are few.
    every_account = CHECKS[:5]
    accounts = ["*"] + DEMO_ACCOUNTS
    while len(every_account) + (len(accounts) - 1) * len(CHECKS) < args.entries:
        accounts.append(f"{rng.randrange(10**11, 10**12):012d}")
    out = ["Mutelist:", "  Accounts:"]
    n = 0
    for account in accounts:
        if n >= args.entries:
            break
        out += [f'    "{account}":', "      Checks:"]
        checks = every_account if account == "*" else CHECKS
        for check in checks:
            if n >= args.entries:
                break
            out += entry(rng, account, check, n)
            n += 1
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
