"""The benchmark's synthetic account, as a fixture for localstack/seed.py.

    python bench/synthetic.py --scale 50 --regions us-east-1,eu-west-1 > account.yaml

Per region, at scale S: 6*S security groups, 2*S network ACLs, 2*S ECR
repositories of 5 images each (the first three signed with cosign, so each
repository also holds 3 signature artifacts) with a scan result on the
latest image of every other repository, 3*S task-definition families (every
third with two revisions), S services over max(1, S // 10) clusters; one
multi-region trail in the first region; and 5*S IAM users. Scale 50 is the
"large account" the targets in docs/performance.md are set for: 300 security
groups, 100 NACLs, 100 repositories, 150 families, 50 services per region and
250 users.

A mix of good and bad settings throughout, so every check has work to do
and the report has both PASS and FAIL.
"""

from __future__ import annotations

import argparse
import sys

import yaml

IMAGES_PER_REPOSITORY = 5
SIGNED_IMAGES_PER_REPOSITORY = 3


def security_groups(scale: int) -> list[dict]:
    groups = []
    for i in range(6 * scale):
        ingress = [
            [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}],
            [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0"}],
            [{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr": "10.0.0.0/8"}],
        ][i % 3]
        groups.append({"name": f"bench-sg-{i:04d}", "tags": {"Team": f"team-{i % 7}"}, "ingress": ingress})
    return groups


def network_acls(scale: int) -> list[dict]:
    acls = []
    for i in range(2 * scale):
        cidr = "0.0.0.0/0" if i % 2 == 0 else "10.0.0.0/8"
        entry = {"rule": 100, "protocol": "tcp", "from_port": 22, "to_port": 22, "action": "allow", "cidr": cidr}
        acls.append({"name": f"bench-nacl-{i:04d}", "entries": [entry]})
    return acls


def repositories(scale: int) -> list[dict]:
    repos = []
    for i in range(2 * scale):
        images = []
        for n in range(IMAGES_PER_REPOSITORY):
            image: dict = {"tag": f"v{n}"}
            if n < SIGNED_IMAGES_PER_REPOSITORY:
                image["signature"] = "cosign"
            if n == IMAGES_PER_REPOSITORY - 1 and i % 2 == 0:
                image["scan"] = {"HIGH": i % 3} if i % 3 else "clean"
            images.append(image)
        repo: dict = {
            "name": f"bench/service-{i:04d}",
            "scan_on_push": i % 2 == 0,
            "tag_mutability": "IMMUTABLE" if i % 3 == 0 else "MUTABLE",
            "lifecycle_policy": i % 2 == 1,
            "images": images,
        }
        if i % 4 == 0:
            principal = "*" if i % 8 == 0 else {"AWS": "arn:aws:iam::111122223333:root"}
            repo["policy"] = {
                "Version": "2012-10-17",
                "Statement": [{"Sid": "pull", "Effect": "Allow", "Principal": principal, "Action": "ecr:BatchGetImage"}],
            }
        repos.append(repo)
    return repos


def task_definitions(scale: int) -> list[dict]:
    definitions = []
    for i in range(3 * scale):
        container = {
            "name": "app",
            "image": "{account}.dkr.ecr.{region}.amazonaws.com/bench/service-0000:v0",
            "privileged": i % 10 == 0,
            "readonly_root_filesystem": i % 2 == 0,
            "log": {"driver": "awslogs"} if i % 4 else "none",
            "environment": {"LOG_LEVEL": "info"} if i % 5 else {"DB_PASSWORD": "hunter2"},
        }
        definition = {"family": f"bench-task-{i:04d}", "network_mode": "awsvpc", "requires": ["FARGATE"],
                      "containers": [container]}
        definitions.append(definition)
        if i % 3 == 0:
            definitions.append(definition)  # a second revision
    return definitions


def clusters(scale: int) -> list[dict]:
    count = max(1, scale // 10)
    found = [{"name": f"bench-cluster-{c:02d}", "container_insights": "enabled" if c % 2 == 0 else "disabled",
              "services": []} for c in range(count)]
    for i in range(scale):
        revision = 2 if i % 3 == 0 else 1
        found[i % count]["services"].append({
            "name": f"bench-svc-{i:04d}",
            "task_definition": f"bench-task-{i:04d}:{revision}",
            "launch_type": "FARGATE",
            "assign_public_ip": i % 4 == 0,
        })
    return found


def iam(scale: int) -> dict:
    users = []
    for i in range(5 * scale):
        user: dict = {"name": f"bench-user-{i:04d}", "console_password": i % 2 == 0}
        if i % 2 == 0:
            user["mfa"] = "virtual" if i % 4 == 0 else "none"
        if i % 3 == 0:
            user["access_keys"] = ["active"]
        if i % 10 == 0:
            user["attached_policies"] = ["bench-admin" if i % 20 == 0 else "bench-read"]
        users.append(user)
    return {
        "password_policy": {"minimum_length": 14, "reuse": 24},
        "policies": [
            {"name": "bench-admin", "document": {"Version": "2012-10-17",
                                                 "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
            {"name": "bench-read", "document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ecr:Describe*", "ecs:List*"], "Resource": "*"}]}},
        ],
        "users": users,
    }


def account(scale: int, regions: list[str]) -> dict:
    fixture: dict = {"regions": {}, "iam": iam(scale)}
    for index, region in enumerate(regions):
        fixture["regions"][region] = {
            "security_groups": security_groups(scale),
            "network_acls": network_acls(scale),
            "ecr_repositories": repositories(scale),
            "ecs_task_definitions": task_definitions(scale),
            "ecs_clusters": clusters(scale),
        }
        if index == 0:
            fixture["regions"][region]["trails"] = [{"name": "bench-trail", "multi_region": True}]
    return fixture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--regions", required=True, help="comma-separated region names")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    yaml.safe_dump(account(args.scale, args.regions.split(",")), sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
