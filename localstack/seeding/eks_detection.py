"""EKS clusters (with node groups, their launch templates, access entries),
a GuardDuty detector and Amazon Inspector's ECR scanning, per region.

Fixture keys: seeding/schema.py (EKS_CLUSTER, EKS_NODEGROUP,
EKS_ACCESS_ENTRY, EKS_ACCESS_POLICY, GUARDDUTY, GUARDDUTY_FEATURE, INSPECTOR).
Access entries and the cluster's authentication mode need the emulator's
additions in localstack/eks_detection.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import schema
from .core import Seeder, log, step
from .validate import FixtureError, _list, _str, _unique, key_bool, key_choice, key_int, key_mapping, key_str


@dataclass
class Nodegroup:
    name: str
    http_tokens: str | None
    hop_limit: int | None


@dataclass
class AccessEntry:
    principal: str
    policies: list[tuple[str, str]]  # (policy name, scope type)


@dataclass
class EksCluster:
    name: str
    version: str
    public_endpoint: bool
    public_access_cidrs: list[str]
    secrets_key: bool
    log_types: list[str]
    authentication_mode: str
    nodegroups: list[Nodegroup] = field(default_factory=list)
    access_entries: list[AccessEntry] = field(default_factory=list)


@dataclass
class Detection:
    """A region's GuardDuty detector (None: none) and Inspector ECR scanning (None: off)."""

    guardduty: dict | None = None
    inspector_ecr: bool | None = None


# -- parsing --


def _nodegroup(raw: Any, path: str) -> Nodegroup:
    shape = schema.EKS_NODEGROUP
    spec = key_mapping(shape, raw, path)
    tokens = key_choice(shape, spec, "http_tokens", path)
    if "hop_limit" in spec and tokens is None:
        raise FixtureError(f"{path}.hop_limit: only with http_tokens (a launch template)")
    hops = key_int(shape, spec, "hop_limit", path) if "hop_limit" in spec else None
    return Nodegroup(name=key_str(shape, spec, "name", path), http_tokens=tokens, hop_limit=hops)


def _access_entry(raw: Any, path: str) -> AccessEntry:
    shape = schema.EKS_ACCESS_ENTRY
    spec = key_mapping(shape, raw, path)
    policies = []
    for i, praw in enumerate(_list(spec.get("policies"), f"{path}.policies")):
        ppath = f"{path}.policies[{i}]"
        pspec = key_mapping(schema.EKS_ACCESS_POLICY, praw, ppath)
        policies.append(
            (
                key_str(schema.EKS_ACCESS_POLICY, pspec, "policy", ppath),
                key_choice(schema.EKS_ACCESS_POLICY, pspec, "scope", ppath),
            )
        )
    return AccessEntry(principal=key_str(shape, spec, "principal", path), policies=policies)


def _cluster(raw: Any, path: str) -> EksCluster:
    shape = schema.EKS_CLUSTER
    spec = key_mapping(shape, raw, path)
    cidrs = [_str(c, f"{path}.public_access_cidrs[{n}]") for n, c in enumerate(_list(spec.get("public_access_cidrs"), f"{path}.public_access_cidrs"))]
    log_types = [
        _str(t, f"{path}.log_types[{n}]") for n, t in enumerate(_list(spec.get("log_types"), f"{path}.log_types"))
    ]
    for n, kind in enumerate(log_types):
        if kind not in shape.key("log_types").choices:
            raise FixtureError(f"{path}.log_types[{n}]: {kind!r} is not one of {shape.key('log_types').choices}")
    mode = key_choice(shape, spec, "authentication_mode", path)
    nodegroups = [_nodegroup(r, f"{path}.nodegroups[{i}]") for i, r in enumerate(_list(spec.get("nodegroups"), f"{path}.nodegroups"))]
    _unique([group.name for group in nodegroups], f"{path}.nodegroups", "name")
    entries = [
        _access_entry(r, f"{path}.access_entries[{i}]")
        for i, r in enumerate(_list(spec.get("access_entries"), f"{path}.access_entries"))
    ]
    if entries and mode == "CONFIG_MAP":
        raise FixtureError(f"{path}.access_entries: need authentication_mode API or API_AND_CONFIG_MAP")
    return EksCluster(
        name=key_str(shape, spec, "name", path),
        version=str(spec.get("version", shape.key("version").default)),
        public_endpoint=key_bool(shape, spec, "public_endpoint", path),
        public_access_cidrs=cidrs,
        secrets_key=key_bool(shape, spec, "secrets_key", path),
        log_types=log_types,
        authentication_mode=mode,
        nodegroups=nodegroups,
        access_entries=entries,
    )


def parse_clusters(rspec: dict, rpath: str) -> list[EksCluster]:
    clusters = [
        _cluster(raw, f"{rpath}.eks_clusters[{i}]")
        for i, raw in enumerate(_list(rspec.get("eks_clusters"), f"{rpath}.eks_clusters"))
    ]
    _unique([cluster.name for cluster in clusters], f"{rpath}.eks_clusters", "name")
    return clusters


def parse_detection(rspec: dict, rpath: str) -> Detection:
    detection = Detection()
    if rspec.get("guardduty") is not None:
        path = f"{rpath}.guardduty"
        spec = key_mapping(schema.GUARDDUTY, rspec["guardduty"], path)
        features = []
        for i, raw in enumerate(_list(spec.get("features"), f"{path}.features")):
            fpath = f"{path}.features[{i}]"
            fspec = key_mapping(schema.GUARDDUTY_FEATURE, raw, fpath)
            agents = [_str(a, f"{fpath}.agents[{n}]") for n, a in enumerate(_list(fspec.get("agents"), f"{fpath}.agents"))]
            feature = {
                "Name": key_str(schema.GUARDDUTY_FEATURE, fspec, "name", fpath),
                "Status": key_choice(schema.GUARDDUTY_FEATURE, fspec, "status", fpath),
            }
            if agents:
                feature["AdditionalConfiguration"] = [{"Name": agent, "Status": "ENABLED"} for agent in agents]
            features.append(feature)
        detection.guardduty = {"Enable": key_bool(schema.GUARDDUTY, spec, "enabled", path), "Features": features}
    if rspec.get("inspector") is not None:
        path = f"{rpath}.inspector"
        spec = key_mapping(schema.INSPECTOR, rspec["inspector"], path)
        detection.inspector_ecr = key_bool(schema.INSPECTOR, spec, "ecr", path)
    return detection


# -- seeding --


def _launch_template(seeder: Seeder, region: str, cluster: str, group: Nodegroup) -> dict[str, str]:
    ec2 = seeder.client("ec2", region)
    options: dict[str, Any] = {"HttpTokens": group.http_tokens, "HttpEndpoint": "enabled"}
    if group.hop_limit is not None:
        options["HttpPutResponseHopLimit"] = group.hop_limit
    created = ec2.create_launch_template(
        LaunchTemplateName=f"{cluster}-{group.name}", LaunchTemplateData={"MetadataOptions": options}
    )
    return {"id": created["LaunchTemplate"]["LaunchTemplateId"], "version": "1"}


def seed_cluster(seeder: Seeder, region: str, cluster: EksCluster) -> None:
    eks = seeder.client("eks", region)
    _, subnets = seeder.default_vpc(region)
    label = f"{region}: EKS cluster {cluster.name!r}"
    with step(label):
        vpc: dict[str, Any] = {
            "subnetIds": subnets[:2],
            "endpointPublicAccess": cluster.public_endpoint,
            "endpointPrivateAccess": not cluster.public_endpoint,
        }
        if cluster.public_endpoint:
            vpc["publicAccessCidrs"] = cluster.public_access_cidrs or ["0.0.0.0/0"]
        kwargs: dict[str, Any] = {
            "name": cluster.name,
            "version": cluster.version,
            "roleArn": f"arn:aws:iam::{seeder.account}:role/eks-cluster",
            "resourcesVpcConfig": vpc,
            "logging": {"clusterLogging": [{"types": cluster.log_types, "enabled": True}]} if cluster.log_types
            else {"clusterLogging": [{"types": list(schema.EKS_CLUSTER.key("log_types").choices), "enabled": False}]},
            "accessConfig": {"authenticationMode": cluster.authentication_mode},
        }
        if cluster.secrets_key:
            key = seeder.client("kms", region).create_key(Description=f"EKS secrets of {cluster.name}")
            kwargs["encryptionConfig"] = [{"resources": ["secrets"], "provider": {"keyArn": key["KeyMetadata"]["Arn"]}}]
        eks.create_cluster(**kwargs)
        for group in cluster.nodegroups:
            extra: dict[str, Any] = {}
            if group.http_tokens is not None:
                extra["launchTemplate"] = _launch_template(seeder, region, cluster.name, group)
            eks.create_nodegroup(
                clusterName=cluster.name,
                nodegroupName=group.name,
                subnets=subnets[:2],
                nodeRole=f"arn:aws:iam::{seeder.account}:role/eks-nodes",
                **extra,
            )
        for entry in cluster.access_entries:
            principal = entry.principal.replace("{account}", seeder.account)
            eks.create_access_entry(clusterName=cluster.name, principalArn=principal)
            for policy, scope in entry.policies:
                access_scope: dict[str, Any] = {"type": scope}
                if scope == "namespace":
                    access_scope["namespaces"] = ["default"]
                eks.associate_access_policy(
                    clusterName=cluster.name,
                    principalArn=principal,
                    policyArn=f"arn:aws:eks::aws:cluster-access-policy/{policy}",
                    accessScope=access_scope,
                )
    public = f"public to {', '.join(cluster.public_access_cidrs or ['0.0.0.0/0'])}" if cluster.public_endpoint else "private"
    log(f"{label}: Kubernetes {cluster.version}, {public}, {len(cluster.nodegroups)} node group(s), "
        f"{len(cluster.access_entries)} access entr(ies)")


def seed_detection(seeder: Seeder, region: str, detection: Detection) -> None:
    if detection.guardduty is not None:
        with step(f"{region}: GuardDuty detector"):
            seeder.client("guardduty", region).create_detector(**detection.guardduty)
        log(f"{region}: GuardDuty detector, features {[f['Name'] for f in detection.guardduty['Features']]}")
    if detection.inspector_ecr:
        with step(f"{region}: Inspector ECR scanning"):
            seeder.client("inspector2", region).enable(accountIds=[seeder.account], resourceTypes=["ECR"])
        log(f"{region}: Inspector scans ECR")
