"""The whole fixture: parse_fixture (every region, then iam) and seed (the order resources are created in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import cloudtrail, ec2, ecr, ecs, edge, eks_detection, elbv2, iam, organization, schema
from .core import Seeder
from .validate import FixtureError, _str, key_bool, key_choice, key_mapping


@dataclass
class Region:
    name: str
    security_groups: list[ec2.SecurityGroup] = field(default_factory=list)
    network_acls: list[ec2.NetworkAcl] = field(default_factory=list)
    ecr_repositories: list[ecr.EcrRepository] = field(default_factory=list)
    trails: list[cloudtrail.Trail] = field(default_factory=list)
    ecr_registry: ecr.EcrRegistry | None = None
    restrict_default_security_group: bool = False
    ecs_task_definitions: list[ecs.TaskDefinition] = field(default_factory=list)
    ecs_clusters: list[ecs.EcsCluster] = field(default_factory=list)
    target_groups: list[elbv2.TargetGroup] = field(default_factory=list)
    load_balancers: list[elbv2.LoadBalancer] = field(default_factory=list)
    ipv6: str | None = None  # "internet" or "egress_only"
    vpc_flow_logs: bool = False
    eks_clusters: list[eks_detection.EksCluster] = field(default_factory=list)
    detection: eks_detection.Detection = field(default_factory=eks_detection.Detection)


def parse_region(name: str, raw: Any) -> Region:
    rpath = f"regions.{name}"
    rspec = key_mapping(schema.REGION, raw if raw is not None else {}, rpath)
    region = Region(name)
    # The order of the checks decides which error a fixture with several gets.
    region.restrict_default_security_group = ec2.parse_restrict_default_security_group(rspec, rpath)
    region.ecr_registry = ecr.parse_registry(rspec, rpath)
    region.security_groups = ec2.parse_security_groups(rspec, rpath)
    region.network_acls = ec2.parse_network_acls(rspec, rpath)
    region.ecr_repositories = ecr.parse_repositories(rspec, rpath)
    region.trails = cloudtrail.parse_trails(rspec, rpath)
    region.ecs_task_definitions, revisions = ecs.parse_task_definitions(rspec, rpath)
    region.target_groups = elbv2.parse_target_groups(rspec, rpath)
    target_groups = {group.name for group in region.target_groups}
    region.load_balancers = elbv2.parse_load_balancers(
        rspec, rpath, target_groups, {group.name for group in region.security_groups}
    )
    region.ecs_clusters = ecs.parse_clusters(
        rspec, rpath, revisions, target_groups, {group.name for group in region.security_groups}
    )
    region.ipv6 = key_choice(schema.REGION, rspec, "ipv6", rpath)
    region.vpc_flow_logs = key_bool(schema.REGION, rspec, "vpc_flow_logs", rpath)
    region.eks_clusters = eks_detection.parse_clusters(rspec, rpath)
    region.detection = eks_detection.parse_detection(rspec, rpath)
    return region


def parse_regions(regions_raw: Any, path: str) -> list[Region]:
    """A `regions` mapping: region name to what to create there."""
    if not isinstance(regions_raw, dict):
        raise FixtureError(f"{path}: expected a mapping of region names ({{}} for an untouched account)")
    regions = []
    for rname, rraw in regions_raw.items():
        _str(rname, f"{path} key", schema.REGION_RE)
        regions.append(parse_region(rname, rraw))
    return regions


def parse_fixture(doc: Any) -> tuple[list[Region], iam.Iam | None, organization.Organization | None]:
    """The fixture document (as yaml.safe_load gives it), validated in full; FixtureError if malformed."""
    top = key_mapping(schema.FIXTURE, doc, "fixture")
    regions = parse_regions(top["regions"], "regions")
    account_iam = iam.parse_iam(top["iam"], "iam") if "iam" in top else None
    org = organization.parse_organization(top["organization"], "organization") if "organization" in top else None
    return regions, account_iam, org


def seed(seeder: Seeder, regions: list[Region], account_iam: iam.Iam | None) -> None:
    """Create everything, region by region in fixture order, then IAM."""
    for region in regions:
        if region.restrict_default_security_group:
            ec2.seed_restrict_default_security_group(seeder, region.name)
        if region.ecr_registry is not None:
            ecr.seed_registry(seeder, region.name, region.ecr_registry)
        if region.ipv6 is not None:
            edge.seed_ipv6(seeder, region.name, region.ipv6)
        if region.vpc_flow_logs:
            edge.seed_flow_log(seeder, region.name)
        for sg in region.security_groups:
            ec2.seed_security_group(seeder, region.name, sg)
        for acl in region.network_acls:
            ec2.seed_network_acl(seeder, region.name, acl)
        for repo in region.ecr_repositories:
            ecr.seed_repository(seeder, region.name, repo)
        for trail in region.trails:
            cloudtrail.seed_trail(seeder, region.name, trail)
        for td in region.ecs_task_definitions:
            ecs.seed_task_definition(seeder, region.name, td)
        # Before the clusters: services name their target groups.
        for group in region.target_groups:
            elbv2.seed_target_group(seeder, region.name, group)
        for balancer in region.load_balancers:
            elbv2.seed_load_balancer(seeder, region.name, balancer)
        for cluster in region.ecs_clusters:
            ecs.seed_cluster(seeder, region.name, cluster)
        for cluster in region.eks_clusters:
            eks_detection.seed_cluster(seeder, region.name, cluster)
        eks_detection.seed_detection(seeder, region.name, region.detection)
        for repo in region.ecr_repositories:
            if any(image.after_tasks for image in repo.images):
                ecr.seed_repository(seeder, region.name, repo, after_tasks=True)
    if account_iam is not None:
        iam.seed_iam(seeder, account_iam)
