"""Seed one emulated AWS account from a YAML fixture, print scan credentials.

Usage:
    localstack/.venv/bin/python localstack/seed.py \\
        --endpoint http://127.0.0.1:4566 --account 123456789012 FIXTURE.yaml

Assumes arn:aws:iam::<account>:role/bulkhead-seed (with the emulator's
default credentials test/test), so every resource lands in <account>; creates
what the fixture describes with boto3; then assumes
arn:aws:iam::<account>:role/bulkhead-scan and prints ONE line of JSON on
stdout: {"account_id", "access_key_id", "secret_access_key", "session_token"}.
Logs go to stderr. Exit status: 0 done, 1 seeding failed, 2 bad usage or
fixture (the fixture is validated in full before anything is created).

Fixture format (YAML; unknown keys are rejected; see localstack/README.md):

regions:
  <region>:                                # e.g. us-east-1
    security_groups:                       # in the region's default VPC
      - name: STR                          # required
        description: STR                   # default: "bulkhead fixture: <name>"
        tags: {KEY: VALUE}
        ingress: [RULE]                    # authorize_security_group_ingress
        egress: [RULE]                     # added to the default allow-all egress
        attach: BOOL                       # default false: ENI in a default subnet
    network_acls:                          # in the region's default VPC
      - name: STR                          # required, the Name tag
        tags: {KEY: VALUE}
        associate: BOOL                    # default false: take over a default subnet
        entries: [ENTRY]
    restrict_default_security_group: BOOL  # default false: revoke every rule of the
                                           # default VPC's default group
    ecr_registry:
      scanning:                            # put_registry_scanning_configuration
        type: BASIC | ENHANCED             # default BASIC
        rules: [{frequency: SCAN_ON_PUSH | CONTINUOUS_SCAN | MANUAL, filters: [STR]}]
      policy: MAPPING                      # put_registry_policy, sent as JSON
    ecr_repositories:
      - name: STR                          # required
        tags: {KEY: VALUE}
        policy: MAPPING                    # optional repository policy, sent as JSON
        scan_on_push: BOOL                 # default false
        tag_mutability: MUTABLE | IMMUTABLE  # default MUTABLE
        encryption: AES256 | KMS           # default AES256
        lifecycle_policy: BOOL             # default false: expire untagged after 14 days
        images:
          - tag: STR                       # required
            signature: none | cosign | notation | sigstore-bundle | [list of those]
            scan: none | clean | {CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL: COUNT}
                                           # default none: never scanned
    trails:                                # home region = this region
      - name: STR                          # required
        multi_region: BOOL                 # default false
        logging: BOOL                      # default true (start_logging)
        management_events: BOOL            # default true
        read_write: All | ReadOnly | WriteOnly  # default All (management events only)
        log_file_validation: BOOL          # default false
        kms: BOOL                          # default false: a new KMS key encrypts the logs
        cloudwatch_logs: BOOL              # default false: a new log group receives them
        s3_bucket: STR                     # default derived from name/account/region
    ecs_task_definitions:                  # a family listed twice gets revisions 1, 2
      - family: STR                        # required
        network_mode: awsvpc|bridge|host|none
        pid_mode: host|task|none
        ipc_mode: host|task|none
        requires: [FARGATE|EC2|EXTERNAL]
        containers:                        # required, at least one
          - name: STR                      # required
            image: STR                     # required; {account} / {region} substituted
            privileged: BOOL
            user: STR
            readonly_root_filesystem: BOOL
            log: none | {driver: STR, mode?: blocking|non-blocking}
            environment: {NAME: STR}
            secrets: {NAME: VALUE_FROM}
    ecs_clusters:
      - name: STR                          # required
        container_insights: enabled|disabled|enhanced
        services:
          - {name, task_definition: FAMILY:REV, launch_type?, platform_version?, assign_public_ip?: BOOL}
        tasks:
          - {task_definition: FAMILY:REV, count?: 1..10}
iam:                                       # optional, global
  password_policy: {minimum_length?, reuse?, max_age?, uppercase?, lowercase?, numbers?, symbols?}
  policies: [{name, document: MAPPING}]
  users:
    - {name, console_password?: BOOL, mfa?: none|virtual, access_keys?: [active|inactive],
       attached_policies?: [policy name or ARN], access_key_age_days?: N}
  root: {mfa?: none|virtual|hardware, access_key?: BOOL}   # set through server.py's test-bed control

RULE  = {protocol, from_port?, to_port?, icmp_type?, icmp_code?, cidr?, ipv6_cidr?, description?}
        (at least one of cidr / ipv6_cidr)
ENTRY = {rule, protocol, action: allow|deny, egress?: BOOL, from_port?, to_port?,
         icmp_type?, icmp_code?, cidr | ipv6_cidr}   (exactly one of cidr / ipv6_cidr)
protocol: tcp | udp | icmp | icmpv6 | all | -1 | 0..255. from_port/to_port are
required for tcp/udp and refused otherwise; icmp_type/icmp_code (default -1)
only for icmp/icmpv6.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import ipaddress
import json
import os
import re
import sys
import time
import traceback
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import boto3
import yaml
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

SEED_ROLE = "bulkhead-seed"
SCAN_ROLE = "bulkhead-scan"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2,
}
COSIGN_LAYER = "application/vnd.dev.cosign.simplesigning.v1+json"
NOTATION_TYPE = "application/vnd.cncf.notary.signature"
SIGSTORE_BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
SIGNATURES = ("cosign", "notation", "sigstore-bundle")
LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "expire untagged images after 14 days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
            "action": {"type": "expire"},
        }
    ]
}
# Fixed, so that the same fixture always yields the same digests.
CREATED = "2025-01-15T09:30:00Z"

PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "all": -1, "-1": -1}
SG_PROTOCOL_NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6", -1: "-1"}

ECR_REPO_RE = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
ECR_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
TRAIL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
REGION_RE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


def log(msg: str) -> None:
    print(f"seed: {msg}", file=sys.stderr, flush=True)


class FixtureError(Exception):
    """The fixture is malformed (exit status 2)."""


class SeedError(Exception):
    """Creating something in the emulator failed (exit status 1)."""


# ---------------------------------------------------------------- fixture --


@dataclass
class Rule:
    protocol: int  # -1 = all
    from_port: int | None
    to_port: int | None
    icmp_type: int | None
    icmp_code: int | None
    cidr: str | None
    ipv6_cidr: str | None
    description: str | None = None
    action: str | None = None  # NACL only
    rule: int | None = None  # NACL only
    egress: bool = False  # NACL only


@dataclass
class SecurityGroup:
    name: str
    description: str
    tags: dict[str, str]
    ingress: list[Rule]
    egress: list[Rule]
    attach: bool


@dataclass
class NetworkAcl:
    name: str
    tags: dict[str, str]
    associate: bool
    entries: list[Rule]


@dataclass
class EcrImage:
    tag: str
    signatures: list[str]
    scan: dict[str, int] | None = None  # None: never scanned; {}: clean


@dataclass
class EcrRepository:
    name: str
    tags: dict[str, str]
    policy: dict | None
    images: list[EcrImage]
    scan_on_push: bool = False
    tag_mutability: str = "MUTABLE"
    encryption: str = "AES256"
    lifecycle_policy: bool = False


@dataclass
class EcrRegistry:
    scan_type: str | None = None  # None: leave moto's default
    rules: list[dict] = field(default_factory=list)
    policy: dict | None = None


@dataclass
class Trail:
    name: str
    multi_region: bool
    logging: bool
    management_events: bool
    s3_bucket: str | None
    read_write: str = "All"
    log_file_validation: bool = False
    kms: bool = False
    cloudwatch_logs: bool = False


@dataclass
class Container:
    name: str
    image: str
    privileged: bool | None
    user: str | None
    readonly_root_filesystem: bool | None
    log_driver: str | None
    log_mode: str | None
    environment: dict[str, str]
    secrets: dict[str, str]


@dataclass
class TaskDefinition:
    family: str
    network_mode: str | None
    pid_mode: str | None
    ipc_mode: str | None
    requires: list[str]
    containers: list[Container]


@dataclass
class EcsService:
    name: str
    task_definition: str
    launch_type: str
    platform_version: str | None
    assign_public_ip: bool | None


@dataclass
class EcsCluster:
    name: str
    container_insights: str | None
    services: list[EcsService]
    tasks: list[tuple[str, int]]


@dataclass
class IamUser:
    name: str
    console_password: bool
    mfa: bool
    access_keys: list[bool]  # one entry per key: active?
    attached_policies: list[str]
    access_key_age_days: int = 0


@dataclass
class IamPolicy:
    name: str
    document: dict


@dataclass
class Iam:
    password_policy: dict | None
    users: list[IamUser]
    policies: list[IamPolicy]
    root_mfa: str = "none"
    root_access_key: bool = False


@dataclass
class Region:
    name: str
    security_groups: list[SecurityGroup] = field(default_factory=list)
    network_acls: list[NetworkAcl] = field(default_factory=list)
    ecr_repositories: list[EcrRepository] = field(default_factory=list)
    trails: list[Trail] = field(default_factory=list)
    ecr_registry: EcrRegistry | None = None
    restrict_default_security_group: bool = False
    ecs_task_definitions: list[TaskDefinition] = field(default_factory=list)
    ecs_clusters: list[EcsCluster] = field(default_factory=list)


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _mapping(value: Any, path: str, required: tuple = (), optional: tuple = ()) -> dict:
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping, got {_type(value)}")
    allowed = required + optional
    for key in value:
        if key not in allowed:
            raise FixtureError(
                f"{path}: unknown key {key!r} (allowed: {', '.join(allowed)})"
            )
    for key in required:
        if key not in value:
            raise FixtureError(f"{path}: missing required key {key!r}")
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FixtureError(f"{path}: expected a list, got {_type(value)}")
    return value


def _str(value: Any, path: str, pattern: re.Pattern | None = None) -> str:
    if not isinstance(value, str) or not value:
        hint = " (quote it in YAML)" if isinstance(value, (int, float, bool)) else ""
        raise FixtureError(f"{path}: expected a non-empty string, got {_type(value)}{hint}")
    if pattern and not pattern.match(value):
        raise FixtureError(f"{path}: invalid value {value!r} (must match {pattern.pattern})")
    return value


def _bool(value: Any, path: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FixtureError(f"{path}: expected true or false, got {value!r}")
    return value


def _int(value: Any, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FixtureError(f"{path}: expected an integer in {lo}..{hi}, got {value!r}")
    return value


def _tags(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping of tag keys to values")
    tags = {}
    for key, val in value.items():
        _str(key, f"{path} key")
        if isinstance(val, bool) or not isinstance(val, (str, int)):
            raise FixtureError(f"{path}.{key}: expected a string (quote it in YAML), got {_type(val)}")
        tags[key] = str(val)
    return tags


def _protocol(value: Any, path: str) -> int:
    if isinstance(value, str) and value.strip().lower() in PROTOCOLS:
        return PROTOCOLS[value.strip().lower()]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and -1 <= value <= 255:
        return value
    raise FixtureError(
        f"{path}: unknown protocol {value!r} (tcp, udp, icmp, icmpv6, all, -1 or 0..255)"
    )


def _cidr(value: Any, path: str, version: int) -> str:
    text = _str(value, path)
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError as e:
        raise FixtureError(f"{path}: {e}") from None
    if net.version != version:
        key = "ipv6_cidr" if net.version == 6 else "cidr"
        raise FixtureError(f"{path}: {text!r} is an IPv{net.version} range; put it under {key}")
    return text


def _rule(raw: Any, path: str, nacl: bool) -> Rule:
    common = ("from_port", "to_port", "icmp_type", "icmp_code", "cidr", "ipv6_cidr")
    if nacl:
        spec = _mapping(raw, path, ("rule", "protocol", "action"), ("egress",) + common)
    else:
        spec = _mapping(raw, path, ("protocol",), common + ("description",))
    proto = _protocol(spec["protocol"], f"{path}.protocol")
    has_ports = proto in (6, 17)
    has_icmp = proto in (1, 58)
    for key in ("from_port", "to_port"):
        if has_ports and key not in spec:
            raise FixtureError(f"{path}: {key} is required for tcp/udp")
        if not has_ports and key in spec:
            raise FixtureError(f"{path}: {key} only applies to tcp/udp")
    for key in ("icmp_type", "icmp_code"):
        if not has_icmp and key in spec:
            raise FixtureError(f"{path}: {key} only applies to icmp/icmpv6")
    from_port = to_port = icmp_type = icmp_code = None
    if has_ports:
        from_port = _int(spec["from_port"], f"{path}.from_port", 0, 65535)
        to_port = _int(spec["to_port"], f"{path}.to_port", 0, 65535)
        if from_port > to_port:
            raise FixtureError(f"{path}: from_port {from_port} > to_port {to_port}")
    if has_icmp:
        icmp_type = _int(spec.get("icmp_type", -1), f"{path}.icmp_type", -1, 255)
        icmp_code = _int(spec.get("icmp_code", -1), f"{path}.icmp_code", -1, 255)
    cidr = _cidr(spec["cidr"], f"{path}.cidr", 4) if "cidr" in spec else None
    ipv6 = _cidr(spec["ipv6_cidr"], f"{path}.ipv6_cidr", 6) if "ipv6_cidr" in spec else None
    if nacl and (cidr is None) == (ipv6 is None):
        raise FixtureError(f"{path}: give exactly one of cidr / ipv6_cidr")
    if not nacl and cidr is None and ipv6 is None:
        raise FixtureError(f"{path}: give cidr and/or ipv6_cidr")
    rule = Rule(proto, from_port, to_port, icmp_type, icmp_code, cidr, ipv6)
    if nacl:
        rule.rule = _int(spec["rule"], f"{path}.rule", 1, 32766)
        rule.action = spec["action"]
        if rule.action not in ("allow", "deny"):
            raise FixtureError(f"{path}.action: expected allow or deny, got {rule.action!r}")
        rule.egress = _bool(spec.get("egress"), f"{path}.egress", False)
    elif "description" in spec:
        rule.description = _str(spec["description"], f"{path}.description")
    return rule


SCAN_TYPES = ("BASIC", "ENHANCED")
SCAN_FREQUENCIES = ("SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL")
TAG_MUTABILITY = ("MUTABLE", "IMMUTABLE")
ENCRYPTION_TYPES = ("AES256", "KMS")
READ_WRITE_TYPES = ("All", "ReadOnly", "WriteOnly")
FINDING_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")


def _choice(value: Any, path: str, allowed: tuple) -> str:
    if value not in allowed:
        raise FixtureError(f"{path}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _scan(value: Any, path: str) -> dict[str, int] | None:
    if value is None or value == "none":
        return None
    if value == "clean":
        return {}
    if not isinstance(value, dict) or not value:
        raise FixtureError(f"{path}: expected none, clean or a mapping of severity to count, got {value!r}")
    counts = {}
    for severity, count in value.items():
        _choice(severity, f"{path} key", FINDING_SEVERITIES)
        counts[severity] = _int(count, f"{path}.{severity}", 0, 100000)
    return counts


def _unique(names: list[str], path: str, what: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise FixtureError(f"{path}: duplicate {what} {name!r}")
        seen.add(name)


def parse_fixture(doc: Any) -> tuple[list[Region], Iam | None]:
    top = _mapping(doc, "fixture", ("regions",), ("iam",))
    regions_raw = top["regions"]
    if not isinstance(regions_raw, dict):
        raise FixtureError("regions: expected a mapping of region names ({} for an untouched account)")
    regions = []
    for rname, rraw in regions_raw.items():
        _str(rname, "regions key", REGION_RE)
        rpath = f"regions.{rname}"
        rspec = _mapping(
            rraw if rraw is not None else {},
            rpath,
            optional=(
                "security_groups",
                "network_acls",
                "ecr_repositories",
                "trails",
                "ecr_registry",
                "restrict_default_security_group",
                "ecs_task_definitions",
                "ecs_clusters",
            ),
        )
        region = Region(rname)
        region.restrict_default_security_group = _bool(
            rspec.get("restrict_default_security_group"), f"{rpath}.restrict_default_security_group", False
        )
        if rspec.get("ecr_registry") is not None:
            p = f"{rpath}.ecr_registry"
            reg = _mapping(rspec["ecr_registry"], p, optional=("scanning", "policy"))
            registry = EcrRegistry()
            if reg.get("scanning") is not None:
                sp = f"{p}.scanning"
                sc = _mapping(reg["scanning"], sp, optional=("type", "rules"))
                registry.scan_type = _choice(sc.get("type", "BASIC"), f"{sp}.type", SCAN_TYPES)
                for k, rraw in enumerate(_list(sc.get("rules"), f"{sp}.rules")):
                    rp = f"{sp}.rules[{k}]"
                    rule = _mapping(rraw, rp, ("frequency", "filters"))
                    filters = [_str(f, f"{rp}.filters[{n}]") for n, f in enumerate(_list(rule["filters"], f"{rp}.filters"))]
                    if not filters:
                        raise FixtureError(f"{rp}.filters: give at least one filter")
                    registry.rules.append(
                        {
                            "scanFrequency": _choice(rule["frequency"], f"{rp}.frequency", SCAN_FREQUENCIES),
                            "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters],
                        }
                    )
            if reg.get("policy") is not None:
                if not isinstance(reg["policy"], dict):
                    raise FixtureError(f"{p}.policy: expected a mapping (a policy document), got {_type(reg['policy'])}")
                registry.policy = reg["policy"]
            region.ecr_registry = registry

        for i, raw in enumerate(_list(rspec.get("security_groups"), f"{rpath}.security_groups")):
            p = f"{rpath}.security_groups[{i}]"
            s = _mapping(raw, p, ("name",), ("description", "tags", "ingress", "egress", "attach"))
            name = _str(s["name"], f"{p}.name")
            region.security_groups.append(
                SecurityGroup(
                    name=name,
                    description=_str(s["description"], f"{p}.description")
                    if "description" in s
                    else f"bulkhead fixture: {name}",
                    tags=_tags(s.get("tags"), f"{p}.tags"),
                    ingress=[
                        _rule(r, f"{p}.ingress[{j}]", nacl=False)
                        for j, r in enumerate(_list(s.get("ingress"), f"{p}.ingress"))
                    ],
                    egress=[
                        _rule(r, f"{p}.egress[{j}]", nacl=False)
                        for j, r in enumerate(_list(s.get("egress"), f"{p}.egress"))
                    ],
                    attach=_bool(s.get("attach"), f"{p}.attach", False),
                )
            )
        _unique([g.name for g in region.security_groups], f"{rpath}.security_groups", "name")
        if "default" in [g.name for g in region.security_groups]:
            raise FixtureError(f"{rpath}.security_groups: 'default' is the VPC's own group")

        for i, raw in enumerate(_list(rspec.get("network_acls"), f"{rpath}.network_acls")):
            p = f"{rpath}.network_acls[{i}]"
            s = _mapping(raw, p, ("name",), ("tags", "associate", "entries"))
            entries = [
                _rule(r, f"{p}.entries[{j}]", nacl=True)
                for j, r in enumerate(_list(s.get("entries"), f"{p}.entries"))
            ]
            _unique(
                [f"{'egress' if e.egress else 'inbound'} rule {e.rule}" for e in entries],
                f"{p}.entries",
                "entry",
            )
            tags = _tags(s.get("tags"), f"{p}.tags")
            if "Name" in tags:
                raise FixtureError(f"{p}.tags: the Name tag comes from 'name'")
            region.network_acls.append(
                NetworkAcl(
                    name=_str(s["name"], f"{p}.name"),
                    tags=tags,
                    associate=_bool(s.get("associate"), f"{p}.associate", False),
                    entries=entries,
                )
            )
        _unique([a.name for a in region.network_acls], f"{rpath}.network_acls", "name")

        for i, raw in enumerate(_list(rspec.get("ecr_repositories"), f"{rpath}.ecr_repositories")):
            p = f"{rpath}.ecr_repositories[{i}]"
            s = _mapping(
                raw,
                p,
                ("name",),
                ("tags", "policy", "images", "scan_on_push", "tag_mutability", "encryption", "lifecycle_policy"),
            )
            policy = s.get("policy")
            if policy is not None and not isinstance(policy, dict):
                raise FixtureError(f"{p}.policy: expected a mapping (a policy document), got {_type(policy)}")
            images = []
            for j, iraw in enumerate(_list(s.get("images"), f"{p}.images")):
                ip = f"{p}.images[{j}]"
                im = _mapping(iraw, ip, ("tag",), ("signature", "scan"))
                sig = im.get("signature")
                sigs = sig if isinstance(sig, list) else [] if sig in (None, "none") else [sig]
                for sg in sigs:
                    if sg not in SIGNATURES:
                        raise FixtureError(
                            f"{ip}.signature: {sg!r} is not one of none, {', '.join(SIGNATURES)}"
                        )
                _unique(sigs, f"{ip}.signature", "signature")
                images.append(EcrImage(_str(im["tag"], f"{ip}.tag", ECR_TAG_RE), sigs, _scan(im.get("scan"), f"{ip}.scan")))
            _unique([im.tag for im in images], f"{p}.images", "tag")
            region.ecr_repositories.append(
                EcrRepository(
                    name=_str(s["name"], f"{p}.name", ECR_REPO_RE),
                    tags=_tags(s.get("tags"), f"{p}.tags"),
                    policy=policy,
                    images=images,
                    scan_on_push=_bool(s.get("scan_on_push"), f"{p}.scan_on_push", False),
                    tag_mutability=_choice(s.get("tag_mutability", "MUTABLE"), f"{p}.tag_mutability", TAG_MUTABILITY),
                    encryption=_choice(s.get("encryption", "AES256"), f"{p}.encryption", ENCRYPTION_TYPES),
                    lifecycle_policy=_bool(s.get("lifecycle_policy"), f"{p}.lifecycle_policy", False),
                )
            )
        _unique([r.name for r in region.ecr_repositories], f"{rpath}.ecr_repositories", "name")

        for i, raw in enumerate(_list(rspec.get("trails"), f"{rpath}.trails")):
            p = f"{rpath}.trails[{i}]"
            s = _mapping(
                raw,
                p,
                ("name",),
                (
                    "multi_region",
                    "logging",
                    "management_events",
                    "s3_bucket",
                    "read_write",
                    "log_file_validation",
                    "kms",
                    "cloudwatch_logs",
                ),
            )
            region.trails.append(
                Trail(
                    name=_str(s["name"], f"{p}.name", TRAIL_RE),
                    multi_region=_bool(s.get("multi_region"), f"{p}.multi_region", False),
                    logging=_bool(s.get("logging"), f"{p}.logging", True),
                    management_events=_bool(s.get("management_events"), f"{p}.management_events", True),
                    s3_bucket=_str(s["s3_bucket"], f"{p}.s3_bucket", BUCKET_RE) if "s3_bucket" in s else None,
                    read_write=_choice(s.get("read_write", "All"), f"{p}.read_write", READ_WRITE_TYPES),
                    log_file_validation=_bool(s.get("log_file_validation"), f"{p}.log_file_validation", False),
                    kms=_bool(s.get("kms"), f"{p}.kms", False),
                    cloudwatch_logs=_bool(s.get("cloudwatch_logs"), f"{p}.cloudwatch_logs", False),
                )
            )
        _unique([t.name for t in region.trails], f"{rpath}.trails", "name")
        _parse_ecs(region, rspec, rpath)
        regions.append(region)
    iam = _parse_iam(top["iam"], "iam") if "iam" in top else None
    return regions, iam


ECS_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
TD_REF_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}:[1-9][0-9]*$")
NETWORK_MODES = ("awsvpc", "bridge", "host", "none")
NAMESPACE_MODES = ("host", "task", "none")
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL")
INSIGHTS = ("enabled", "disabled", "enhanced")


def _str_map(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected a mapping of names to strings")
    out = {}
    for key, val in value.items():
        _str(key, f"{path} key")
        if not isinstance(val, str):
            raise FixtureError(f"{path}.{key}: expected a string (quote it in YAML), got {_type(val)}")
        out[key] = val
    return out


def _choice(value: Any, path: str, choices: tuple) -> Any:
    if value not in choices:
        raise FixtureError(f"{path}: expected one of {', '.join(map(str, choices))}, got {value!r}")
    return value


def _opt_bool(spec: dict, key: str, path: str) -> bool | None:
    return _bool(spec[key], f"{path}.{key}", False) if key in spec else None


def _parse_ecs(region: Region, rspec: dict, rpath: str) -> None:
    revisions: dict[str, int] = {}
    for i, raw in enumerate(_list(rspec.get("ecs_task_definitions"), f"{rpath}.ecs_task_definitions")):
        p = f"{rpath}.ecs_task_definitions[{i}]"
        s = _mapping(raw, p, ("family", "containers"), ("network_mode", "pid_mode", "ipc_mode", "requires"))
        containers = []
        for j, craw in enumerate(_list(s["containers"], f"{p}.containers")):
            cp = f"{p}.containers[{j}]"
            c = _mapping(
                craw,
                cp,
                ("name", "image"),
                ("privileged", "user", "readonly_root_filesystem", "log", "environment", "secrets"),
            )
            log_driver = log_mode = None
            if "log" in c and c["log"] != "none":
                log = _mapping(c["log"], f"{cp}.log", ("driver",), ("mode",))
                log_driver = _str(log["driver"], f"{cp}.log.driver")
                if "mode" in log:
                    log_mode = _choice(log["mode"], f"{cp}.log.mode", ("blocking", "non-blocking"))
            containers.append(
                Container(
                    name=_str(c["name"], f"{cp}.name", ECS_NAME_RE),
                    image=_str(c["image"], f"{cp}.image"),
                    privileged=_opt_bool(c, "privileged", cp),
                    user=_str(c["user"], f"{cp}.user") if "user" in c else None,
                    readonly_root_filesystem=_opt_bool(c, "readonly_root_filesystem", cp),
                    log_driver=log_driver,
                    log_mode=log_mode,
                    environment=_str_map(c.get("environment"), f"{cp}.environment"),
                    secrets=_str_map(c.get("secrets"), f"{cp}.secrets"),
                )
            )
        if not containers:
            raise FixtureError(f"{p}.containers: at least one container is required")
        _unique([c.name for c in containers], f"{p}.containers", "name")
        requires = [_choice(r, f"{p}.requires", LAUNCH_TYPES) for r in _list(s.get("requires"), f"{p}.requires")]
        family = _str(s["family"], f"{p}.family", ECS_NAME_RE)
        revisions[family] = revisions.get(family, 0) + 1
        region.ecs_task_definitions.append(
            TaskDefinition(
                family=family,
                network_mode=_choice(s["network_mode"], f"{p}.network_mode", NETWORK_MODES) if "network_mode" in s else None,
                pid_mode=_choice(s["pid_mode"], f"{p}.pid_mode", NAMESPACE_MODES) if "pid_mode" in s else None,
                ipc_mode=_choice(s["ipc_mode"], f"{p}.ipc_mode", NAMESPACE_MODES) if "ipc_mode" in s else None,
                requires=requires,
                containers=containers,
            )
        )

    def td_ref(value: Any, path: str) -> str:
        ref = _str(value, path, TD_REF_RE)
        family, revision = ref.rsplit(":", 1)
        if int(revision) > revisions.get(family, 0):
            raise FixtureError(f"{path}: {ref!r} is not a task definition revision this region's fixture registers")
        return ref

    for i, raw in enumerate(_list(rspec.get("ecs_clusters"), f"{rpath}.ecs_clusters")):
        p = f"{rpath}.ecs_clusters[{i}]"
        s = _mapping(raw, p, ("name",), ("container_insights", "services", "tasks"))
        services = []
        for j, sraw in enumerate(_list(s.get("services"), f"{p}.services")):
            sp = f"{p}.services[{j}]"
            sv = _mapping(sraw, sp, ("name", "task_definition"), ("launch_type", "platform_version", "assign_public_ip"))
            services.append(
                EcsService(
                    name=_str(sv["name"], f"{sp}.name", ECS_NAME_RE),
                    task_definition=td_ref(sv["task_definition"], f"{sp}.task_definition"),
                    launch_type=_choice(sv.get("launch_type", "FARGATE"), f"{sp}.launch_type", LAUNCH_TYPES),
                    platform_version=_str(sv["platform_version"], f"{sp}.platform_version") if "platform_version" in sv else None,
                    assign_public_ip=_opt_bool(sv, "assign_public_ip", sp),
                )
            )
        _unique([sv.name for sv in services], f"{p}.services", "name")
        tasks = []
        for j, traw in enumerate(_list(s.get("tasks"), f"{p}.tasks")):
            tp = f"{p}.tasks[{j}]"
            t = _mapping(traw, tp, ("task_definition",), ("count",))
            tasks.append((td_ref(t["task_definition"], f"{tp}.task_definition"), _int(t.get("count", 1), f"{tp}.count", 1, 10)))
        region.ecs_clusters.append(
            EcsCluster(
                name=_str(s["name"], f"{p}.name", ECS_NAME_RE),
                container_insights=_choice(s["container_insights"], f"{p}.container_insights", INSIGHTS)
                if "container_insights" in s
                else None,
                services=services,
                tasks=tasks,
            )
        )
    _unique([c.name for c in region.ecs_clusters], f"{rpath}.ecs_clusters", "name")


IAM_NAME_RE = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
PASSWORD_POLICY_KEYS = {
    "minimum_length": ("MinimumPasswordLength", int),
    "reuse": ("PasswordReusePrevention", int),
    "max_age": ("MaxPasswordAge", int),
    "uppercase": ("RequireUppercaseCharacters", bool),
    "lowercase": ("RequireLowercaseCharacters", bool),
    "numbers": ("RequireNumbers", bool),
    "symbols": ("RequireSymbols", bool),
}


def _parse_iam(raw: Any, path: str) -> Iam:
    spec = _mapping(raw if raw is not None else {}, path, optional=("password_policy", "users", "policies", "root"))
    policy = None
    if "password_policy" in spec:
        pp = _mapping(spec["password_policy"], f"{path}.password_policy", optional=tuple(PASSWORD_POLICY_KEYS))
        policy = {}
        for key, (api, kind) in PASSWORD_POLICY_KEYS.items():
            if key in pp:
                value = pp[key]
                if kind is bool:
                    policy[api] = _bool(value, f"{path}.password_policy.{key}", False)
                else:
                    policy[api] = _int(value, f"{path}.password_policy.{key}", 1, 1095)
    policies = []
    for i, praw in enumerate(_list(spec.get("policies"), f"{path}.policies")):
        p = f"{path}.policies[{i}]"
        pol = _mapping(praw, p, ("name", "document"))
        if not isinstance(pol["document"], dict):
            raise FixtureError(f"{p}.document: expected a mapping (a policy document), got {_type(pol['document'])}")
        policies.append(IamPolicy(_str(pol["name"], f"{p}.name", IAM_NAME_RE), pol["document"]))
    _unique([p.name for p in policies], f"{path}.policies", "name")
    known = {p.name for p in policies}
    users = []
    for i, uraw in enumerate(_list(spec.get("users"), f"{path}.users")):
        p = f"{path}.users[{i}]"
        u = _mapping(
            uraw, p, ("name",), ("console_password", "mfa", "access_keys", "attached_policies", "access_key_age_days")
        )
        keys = []
        for j, k in enumerate(_list(u.get("access_keys"), f"{p}.access_keys")):
            keys.append(_choice(k, f"{p}.access_keys[{j}]", ("active", "inactive")) == "active")
        if len(keys) > 2:
            raise FixtureError(f"{p}.access_keys: IAM allows at most 2 access keys per user")
        attached = []
        for j, a in enumerate(_list(u.get("attached_policies"), f"{p}.attached_policies")):
            a = _str(a, f"{p}.attached_policies[{j}]")
            if not a.startswith("arn:") and a not in known:
                raise FixtureError(f"{p}.attached_policies[{j}]: {a!r} is neither an ARN nor a policy under iam.policies")
            attached.append(a)
        users.append(
            IamUser(
                name=_str(u["name"], f"{p}.name", IAM_NAME_RE),
                console_password=_bool(u.get("console_password"), f"{p}.console_password", False),
                mfa=_choice(u.get("mfa", "none"), f"{p}.mfa", ("none", "virtual")) == "virtual",
                access_keys=keys,
                attached_policies=attached,
                access_key_age_days=_int(u.get("access_key_age_days", 0), f"{p}.access_key_age_days", 0, 3650),
            )
        )
    _unique([u.name for u in users], f"{path}.users", "name")
    root = _mapping(spec.get("root") or {}, f"{path}.root", optional=("mfa", "access_key"))
    return Iam(
        policy,
        users,
        policies,
        root_mfa=_choice(root.get("mfa", "none"), f"{path}.root.mfa", ("none", "virtual", "hardware")),
        root_access_key=_bool(root.get("access_key"), f"{path}.root.access_key", False),
    )


# ----------------------------------------------------------------- images --


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _blob(kind: str, *parts: str) -> tuple[str, int]:
    """A fake blob's digest and size, derived from kind and parts."""
    h = hashlib.sha256("\0".join((kind,) + parts).encode()).hexdigest()
    return "sha256:" + h, 1024 + int(h[:6], 16)


def _encode(manifest: dict) -> tuple[str, str]:
    """The exact manifest text sent to PutImage and its digest (as ECR computes it)."""
    text = json.dumps(manifest, separators=(",", ":"))
    return text, _sha256(text.encode("utf-8"))


def image_manifest(repo: str, tag: str) -> dict:
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "created": CREATED,
            "config": {"Labels": {"org.opencontainers.image.title": repo, "org.opencontainers.image.version": tag}},
            "rootfs": {"type": "layers", "diff_ids": [_blob("diff", repo, tag)[0]]},
        },
        separators=(",", ":"),
    ).encode()
    layer_digest, layer_size = _blob("layer", repo, tag)
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": _sha256(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer_size}],
        "annotations": {"org.opencontainers.image.created": CREATED},
    }


def cosign_manifest(registry: str, repo: str, digest: str) -> dict:
    payload = json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": f"{registry}/{repo}"},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": None,
        },
        separators=(",", ":"),
    ).encode()
    config = json.dumps(
        {"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers", "diff_ids": [_sha256(payload)]}},
        separators=(",", ":"),
    ).encode()
    fake_signature = base64.b64encode(hashlib.sha512(payload).digest()).decode()
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": _sha256(config), "size": len(config)},
        "layers": [
            {
                "mediaType": COSIGN_LAYER,
                "digest": _sha256(payload),
                "size": len(payload),
                "annotations": {"dev.cosignproject.cosign/signature": fake_signature},
            }
        ],
    }


def referrer_manifest(kind: str, subject: dict) -> dict:
    """An OCI 1.1 referrer (notation signature or sigstore bundle) of subject."""
    if kind == "notation":
        artifact_type, layer_type = NOTATION_TYPE, "application/jose+json"
        annotations = {
            "io.cncf.notary.x509chain.thumbprint#S256": json.dumps(
                [hashlib.sha256(subject["digest"].encode()).hexdigest()]
            ),
            "org.opencontainers.image.created": CREATED,
        }
    else:
        artifact_type = layer_type = SIGSTORE_BUNDLE_TYPE
        annotations = {
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1",
            "org.opencontainers.image.created": CREATED,
        }
    layer_digest, layer_size = _blob(kind, subject["digest"])
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": OCI_EMPTY,
        "layers": [{"mediaType": layer_type, "digest": layer_digest, "size": layer_size}],
        "subject": subject,
        "annotations": annotations,
    }


# ----------------------------------------------------------------- seeding --


class Seeder:
    def __init__(self, endpoint: str, account: str):
        self.endpoint = endpoint
        self.account = account
        self.config = Config(
            retries={"max_attempts": 2, "mode": "standard"},
            connect_timeout=5,
            read_timeout=120,
        )
        self.session: boto3.Session | None = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._vpcs: dict[str, tuple[str, list[str]]] = {}
        self._used_subnets: dict[str, set[str]] = {}

    def assume(self, role: str, access_key: str, secret: str, token: str | None = None) -> dict:
        sts = boto3.client(
            "sts",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=access_key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=self.config,
        )
        arn = f"arn:aws:iam::{self.account}:role/{role}"
        with step(f"sts:AssumeRole {arn}"):
            creds = sts.assume_role(RoleArn=arn, RoleSessionName=role)["Credentials"]
        return creds

    def use(self, creds: dict) -> None:
        self.session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        self._clients.clear()
        with step("sts:GetCallerIdentity"):
            who = self.client("sts", "us-east-1").get_caller_identity()
        if who["Account"] != self.account:
            raise SeedError(f"assumed role landed in account {who['Account']}, not {self.account}")

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=region, endpoint_url=self.endpoint, config=self.config
            )
        return self._clients[key]

    def check_regions(self, regions: list[Region]) -> None:
        with step("ec2:DescribeRegions"):
            known = {
                r["RegionName"]
                for r in self.client("ec2", "us-east-1").describe_regions(AllRegions=True)["Regions"]
            }
        for region in regions:
            if region.name not in known:
                raise FixtureError(f"regions.{region.name}: not a region the emulator knows")

    def default_vpc(self, region: str) -> tuple[str, list[str]]:
        """(default VPC id, its subnet ids sorted by availability zone)."""
        if region not in self._vpcs:
            ec2 = self.client("ec2", region)
            with step(f"{region}: find the default VPC"):
                vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
                if not vpcs:
                    raise SeedError(f"{region}: no default VPC")
                vpc = vpcs[0]["VpcId"]
                subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
            subnets.sort(key=lambda s: (s["AvailabilityZone"], s["SubnetId"]))
            self._vpcs[region] = (vpc, [s["SubnetId"] for s in subnets])
        return self._vpcs[region]

    def seed(self, regions: list[Region]) -> None:
        for region in regions:
            if region.restrict_default_security_group:
                self.restrict_default_security_group(region.name)
            if region.ecr_registry is not None:
                self.ecr_registry(region.name, region.ecr_registry)
            for sg in region.security_groups:
                self.security_group(region.name, sg)
            for acl in region.network_acls:
                self.network_acl(region.name, acl)
            for repo in region.ecr_repositories:
                self.ecr_repository(region.name, repo)
            for trail in region.trails:
                self.trail(region.name, trail)
            for td in region.ecs_task_definitions:
                self.task_definition(region.name, td)
            for cluster in region.ecs_clusters:
                self.ecs_cluster(region.name, cluster)

    # -- ECS --

    def task_definition(self, region: str, td: TaskDefinition) -> None:
        ecs = self.client("ecs", region)
        label = f"{region}: task definition {td.family!r}"
        containers = []
        for c in td.containers:
            # moto's RunTask needs a memory figure on every container.
            # {account} and {region} in an image name the seeded account's own ECR.
            image = c.image.replace("{account}", self.account).replace("{region}", region)
            spec: dict[str, Any] = {"name": c.name, "image": image, "memory": 128, "essential": True}
            if c.privileged is not None:
                spec["privileged"] = c.privileged
            if c.user is not None:
                spec["user"] = c.user
            if c.readonly_root_filesystem is not None:
                spec["readonlyRootFilesystem"] = c.readonly_root_filesystem
            if c.log_driver is not None:
                options = {"awslogs-group": f"/ecs/{td.family}", "awslogs-region": region, "awslogs-stream-prefix": c.name}
                if c.log_mode is not None:
                    options["mode"] = c.log_mode
                spec["logConfiguration"] = {"logDriver": c.log_driver, "options": options}
            if c.environment:
                spec["environment"] = [{"name": k, "value": v} for k, v in c.environment.items()]
            if c.secrets:
                spec["secrets"] = [{"name": k, "valueFrom": v} for k, v in c.secrets.items()]
            containers.append(spec)
        kwargs: dict[str, Any] = {"family": td.family, "containerDefinitions": containers}
        if td.network_mode:
            kwargs["networkMode"] = td.network_mode
        if td.pid_mode:
            kwargs["pidMode"] = td.pid_mode
        if td.ipc_mode:
            kwargs["ipcMode"] = td.ipc_mode
        if td.requires:
            kwargs["requiresCompatibilities"] = td.requires
            if "FARGATE" in td.requires:
                kwargs["cpu"], kwargs["memory"] = "256", "512"
        with step(label):
            arn = ecs.register_task_definition(**kwargs)["taskDefinition"]["taskDefinitionArn"]
        # Never log environment values: fixtures hold fake secrets on purpose.
        log(f"{label}: {arn.rsplit('/', 1)[1]}, {len(td.containers)} container(s)")

    def ecs_cluster(self, region: str, cluster: EcsCluster) -> None:
        ecs = self.client("ecs", region)
        label = f"{region}: ECS cluster {cluster.name!r}"
        with step(label):
            kwargs: dict[str, Any] = {"clusterName": cluster.name}
            if cluster.container_insights is not None:
                kwargs["settings"] = [{"name": "containerInsights", "value": cluster.container_insights}]
            ecs.create_cluster(**kwargs)
        vpc, subnets = self.default_vpc(region)
        network = None
        for svc in cluster.services:
            slabel = f"{label}: service {svc.name!r}"
            kwargs = {
                "cluster": cluster.name,
                "serviceName": svc.name,
                "taskDefinition": svc.task_definition,
                "desiredCount": 1,
                "launchType": svc.launch_type,
            }
            if svc.platform_version is not None:
                kwargs["platformVersion"] = svc.platform_version
            if svc.assign_public_ip is not None:
                network = network or self._default_network(region, vpc, subnets)
                kwargs["networkConfiguration"] = {
                    "awsvpcConfiguration": {**network, "assignPublicIp": "ENABLED" if svc.assign_public_ip else "DISABLED"}
                }
            with step(slabel):
                ecs.create_service(**kwargs)
            log(f"{slabel}: {svc.task_definition}, {svc.launch_type} {svc.platform_version or ''}".rstrip())
        for td, count in cluster.tasks:
            tlabel = f"{label}: run {count} task(s) of {td}"
            network = network or self._default_network(region, vpc, subnets)
            with step(tlabel):
                ecs.run_task(
                    cluster=cluster.name,
                    taskDefinition=td,
                    count=count,
                    launchType="FARGATE",
                    networkConfiguration={"awsvpcConfiguration": {**network, "assignPublicIp": "DISABLED"}},
                )
            log(tlabel)

    def _default_network(self, region: str, vpc: str, subnets: list[str]) -> dict:
        ec2 = self.client("ec2", region)
        with step(f"{region}: default security group"):
            groups = ec2.describe_security_groups(
                Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
            )["SecurityGroups"]
        # moto's CreateService requires securityGroups in an awsvpc configuration.
        return {"subnets": subnets[:1], "securityGroups": [groups[0]["GroupId"]]}

    # -- IAM (global) --

    def iam(self, iam: Iam) -> None:
        client = self.client("iam", "us-east-1")
        if iam.password_policy is not None:
            with step("iam: password policy"):
                client.update_account_password_policy(**iam.password_policy)
            log(f"iam: password policy {iam.password_policy}")
        arns = {}
        for policy in iam.policies:
            with step(f"iam: policy {policy.name!r}"):
                arns[policy.name] = client.create_policy(
                    PolicyName=policy.name, PolicyDocument=json.dumps(policy.document)
                )["Policy"]["Arn"]
            log(f"iam: customer managed policy {policy.name}")
        for user in iam.users:
            label = f"iam: user {user.name!r}"
            with step(label):
                client.create_user(UserName=user.name)
                if user.console_password:
                    client.create_login_profile(UserName=user.name, Password="Bulkhead-Fixture-Pa55word!")
                if user.mfa:
                    serial = client.create_virtual_mfa_device(VirtualMFADeviceName=user.name)["VirtualMFADevice"][
                        "SerialNumber"
                    ]
                    client.enable_mfa_device(
                        UserName=user.name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
                    )
                for active in user.access_keys:
                    key = client.create_access_key(UserName=user.name)["AccessKey"]["AccessKeyId"]
                    if not active:
                        client.update_access_key(UserName=user.name, AccessKeyId=key, Status="Inactive")
                for name in user.attached_policies:
                    client.attach_user_policy(UserName=user.name, PolicyArn=arns.get(name, name))
            log(
                f"{label}: console {'yes' if user.console_password else 'no'}, mfa {'virtual' if user.mfa else 'none'}, "
                f"{len(user.access_keys)} key(s), {len(user.attached_policies)} attached polic(y/ies)"
            )
        self._iam_state(iam)

    def _iam_state(self, iam: Iam) -> None:
        """Root MFA/keys and key ages: no AWS API sets them; server.py's control does."""
        ages = {user.name: user.access_key_age_days for user in iam.users if user.access_key_age_days}
        state = {"account": self.account, "root_mfa": iam.root_mfa, "root_access_key": iam.root_access_key}
        if iam.root_mfa == "none" and not iam.root_access_key and not ages:
            return
        request = urllib.request.Request(
            f"{self.endpoint}/_bulkhead/iam",
            data=json.dumps({**state, "access_key_age_days": ages}).encode(),
            method="POST",
        )
        with step("iam: root MFA / root key / key ages (emulator control)"):
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
        log(f"iam: root mfa {iam.root_mfa}, root access key {iam.root_access_key}, key ages {ages}")

    # -- EC2 --

    @staticmethod
    def _tag_spec(resource: str, tags: dict[str, str]) -> list[dict]:
        if not tags:
            return []
        return [{"ResourceType": resource, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]

    @staticmethod
    def _permission(rule: Rule) -> dict:
        perm: dict[str, Any] = {"IpProtocol": SG_PROTOCOL_NAMES.get(rule.protocol, str(rule.protocol))}
        if rule.from_port is not None:
            perm["FromPort"], perm["ToPort"] = rule.from_port, rule.to_port
        if rule.icmp_type is not None:
            perm["FromPort"], perm["ToPort"] = rule.icmp_type, rule.icmp_code
        extra = {"Description": rule.description} if rule.description else {}
        if rule.cidr:
            perm["IpRanges"] = [{"CidrIp": rule.cidr, **extra}]
        if rule.ipv6_cidr:
            perm["Ipv6Ranges"] = [{"CidrIpv6": rule.ipv6_cidr, **extra}]
        return perm

    def security_group(self, region: str, sg: SecurityGroup) -> None:
        ec2 = self.client("ec2", region)
        vpc, subnets = self.default_vpc(region)
        label = f"{region}: security group {sg.name!r}"
        with step(label):
            gid = ec2.create_security_group(
                GroupName=sg.name,
                Description=sg.description,
                VpcId=vpc,
                TagSpecifications=self._tag_spec("security-group", sg.tags),
            )["GroupId"]
            if sg.ingress:
                ec2.authorize_security_group_ingress(
                    GroupId=gid, IpPermissions=[self._permission(r) for r in sg.ingress]
                )
            if sg.egress:
                ec2.authorize_security_group_egress(
                    GroupId=gid, IpPermissions=[self._permission(r) for r in sg.egress]
                )
            eni = ""
            if sg.attach:
                eni = ec2.create_network_interface(
                    SubnetId=subnets[0],
                    Groups=[gid],
                    Description=f"bulkhead fixture: carries {sg.name}",
                )["NetworkInterface"]["NetworkInterfaceId"]
                eni = f", attached via {eni}"
        log(f"{label} {gid}: {len(sg.ingress)} ingress, {len(sg.egress)} egress rules{eni}")

    def restrict_default_security_group(self, region: str) -> None:
        ec2 = self.client("ec2", region)
        vpc, _ = self.default_vpc(region)
        label = f"{region}: default security group of {vpc}"
        with step(label):
            group = ec2.describe_security_groups(
                Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
            )["SecurityGroups"][0]
            if group["IpPermissions"]:
                ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
            if group["IpPermissionsEgress"]:
                ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
        log(f"{label} {group['GroupId']}: every rule revoked")

    def network_acl(self, region: str, acl: NetworkAcl) -> None:
        ec2 = self.client("ec2", region)
        vpc, subnets = self.default_vpc(region)
        label = f"{region}: network ACL {acl.name!r}"
        with step(label):
            acl_id = ec2.create_network_acl(
                VpcId=vpc,
                TagSpecifications=self._tag_spec("network-acl", {"Name": acl.name, **acl.tags}),
            )["NetworkAcl"]["NetworkAclId"]
            for e in acl.entries:
                kwargs: dict[str, Any] = {
                    "NetworkAclId": acl_id,
                    "RuleNumber": e.rule,
                    "Protocol": str(e.protocol),
                    "RuleAction": e.action,
                    "Egress": e.egress,
                }
                if e.cidr:
                    kwargs["CidrBlock"] = e.cidr
                else:
                    kwargs["Ipv6CidrBlock"] = e.ipv6_cidr
                if e.from_port is not None:
                    kwargs["PortRange"] = {"From": e.from_port, "To": e.to_port}
                if e.icmp_type is not None:
                    kwargs["IcmpTypeCode"] = {"Type": e.icmp_type, "Code": e.icmp_code}
                ec2.create_network_acl_entry(**kwargs)
            assoc = ""
            if acl.associate:
                used = self._used_subnets.setdefault(region, set())
                free = [s for s in subnets if s not in used]
                if not free:
                    raise SeedError(f"{label}: every default subnet is already associated with a fixture ACL")
                subnet = free[0]
                used.add(subnet)
                current = ec2.describe_network_acls(
                    Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
                )["NetworkAcls"]
                assoc_id = next(
                    a["NetworkAclAssociationId"]
                    for n in current
                    for a in n["Associations"]
                    if a["SubnetId"] == subnet
                )
                ec2.replace_network_acl_association(AssociationId=assoc_id, NetworkAclId=acl_id)
                assoc = f", associated with {subnet}"
        log(f"{label} {acl_id}: {len(acl.entries)} entries{assoc}")

    # -- ECR --

    def ecr_registry(self, region: str, registry: EcrRegistry) -> None:
        ecr = self.client("ecr", region)
        label = f"{region}: ECR registry"
        with step(label):
            if registry.scan_type is not None:
                ecr.put_registry_scanning_configuration(scanType=registry.scan_type, rules=registry.rules)
            if registry.policy is not None:
                ecr.put_registry_policy(policyText=json.dumps(registry.policy))
        log(
            f"{label}: scanning {registry.scan_type or 'default'} with {len(registry.rules)} rule(s)"
            f"{', policy set' if registry.policy is not None else ''}"
        )

    def ecr_scan_result(self, region: str, repo: str, digest: str, counts: dict[str, int]) -> None:
        """Start a scan of the image and tell moto what DescribeImageScanFindings reports for it."""
        ecr = self.client("ecr", region)
        with step(f"{region}: ECR repository {repo!r}: scan {digest[:19]}…"):
            ecr.start_image_scan(repositoryName=repo, imageId={"imageDigest": digest})
        result = {
            "registryId": self.account,
            "repositoryName": repo,
            "imageId": {"imageDigest": digest},
            "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
            "imageScanFindings": {
                "imageScanCompletedAt": CREATED,
                "vulnerabilitySourceUpdatedAt": CREATED,
                "findings": [],
                "findingSeverityCounts": counts,
            },
        }
        body = json.dumps({"account_id": self.account, "region": region, "results": [result]}).encode()
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/static/ecr/scan-finding-results",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        except OSError as e:
            raise SeedError(f"{region}: ECR repository {repo!r}: setting the scan result: {e}") from None

    def ecr_repository(self, region: str, repo: EcrRepository) -> None:
        ecr = self.client("ecr", region)
        label = f"{region}: ECR repository {repo.name!r}"
        registry = f"{self.account}.dkr.ecr.{region}.amazonaws.com"
        with step(label):
            kwargs: dict[str, Any] = {
                "repositoryName": repo.name,
                "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push},
                "imageTagMutability": repo.tag_mutability,
                "encryptionConfiguration": {"encryptionType": repo.encryption},
            }
            if repo.tags:
                kwargs["tags"] = [{"Key": k, "Value": v} for k, v in repo.tags.items()]
            ecr.create_repository(**kwargs)
            if repo.policy is not None:
                ecr.set_repository_policy(repositoryName=repo.name, policyText=json.dumps(repo.policy))
            if repo.lifecycle_policy:
                ecr.put_lifecycle_policy(repositoryName=repo.name, lifecyclePolicyText=json.dumps(LIFECYCLE_POLICY))
        log(
            f"{label}: {repo.tag_mutability}, {repo.encryption}, scan on push {'on' if repo.scan_on_push else 'off'}, "
            f"lifecycle policy {'yes' if repo.lifecycle_policy else 'no'}{', with policy' if repo.policy is not None else ''}"
        )

        def put(manifest: dict, tag: str | None, what: str) -> tuple[str, int]:
            text, digest = _encode(manifest)
            args = {
                "repositoryName": repo.name,
                "imageManifest": text,
                "imageManifestMediaType": manifest["mediaType"],
                "imageDigest": digest,
            }
            if tag is not None:
                args["imageTag"] = tag
            with step(f"{label}: push {what}"):
                got = ecr.put_image(**args)["image"]["imageId"]["imageDigest"]
            if got != digest:
                raise SeedError(f"{label}: {what}: emulator stored digest {got}, expected {digest}")
            return digest, len(text.encode("utf-8"))

        for image in repo.images:
            manifest = image_manifest(repo.name, image.tag)
            digest, size = put(manifest, image.tag, f"image {image.tag}")
            notes = []
            if image.scan is not None:
                self.ecr_scan_result(region, repo.name, digest, image.scan)
                notes.append(f"scan {image.scan or 'clean'}")
            for sig in image.signatures:
                if sig == "cosign":
                    sig_tag = "sha256-" + digest.split(":", 1)[1] + ".sig"
                    put(cosign_manifest(registry, repo.name, digest), sig_tag, f"cosign signature of {image.tag}")
                    notes.append(f"cosign {sig_tag}")
                else:
                    subject = {"mediaType": manifest["mediaType"], "digest": digest, "size": size}
                    ref, _ = put(referrer_manifest(sig, subject), None, f"{sig} referrer of {image.tag}")
                    notes.append(f"{sig} {ref[:19]}…")
            log(f"{label}: {image.tag} {digest[:19]}… {'; '.join(notes) or 'unsigned'}")

    # -- CloudTrail --

    def _bucket_name(self, region: str, trail: str) -> str:
        name = re.sub(r"[^a-z0-9.-]+", "-", f"{trail}-{self.account}-{region}".lower()).strip("-.")
        if len(name) > 63:
            digest = hashlib.sha256(name.encode()).hexdigest()[:8]
            name = name[:54].rstrip("-.") + "-" + digest
        return name

    def trail(self, region: str, trail: Trail) -> None:
        s3 = self.client("s3", region)
        ct = self.client("cloudtrail", region)
        bucket = trail.s3_bucket or self._bucket_name(region, trail.name)
        label = f"{region}: trail {trail.name!r}"
        with step(f"{label}: S3 bucket {bucket!r}"):
            create: dict[str, Any] = {"Bucket": bucket}
            if region != "us-east-1":
                create["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                s3.create_bucket(**create)
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                    raise
            s3.put_bucket_policy(
                Bucket=bucket,
                Policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AWSCloudTrailAclCheck",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                "Action": "s3:GetBucketAcl",
                                "Resource": f"arn:aws:s3:::{bucket}",
                            },
                            {
                                "Sid": "AWSCloudTrailWrite",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                "Action": "s3:PutObject",
                                "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{self.account}/*",
                                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                            },
                        ],
                    }
                ),
            )
        create_trail: dict[str, Any] = {
            "Name": trail.name,
            "S3BucketName": bucket,
            "IsMultiRegionTrail": trail.multi_region,
            "EnableLogFileValidation": trail.log_file_validation,
        }
        if trail.kms:
            with step(f"{label}: KMS key"):
                create_trail["KmsKeyId"] = self.client("kms", region).create_key(
                    Description=f"bulkhead fixture: logs of trail {trail.name}"
                )["KeyMetadata"]["Arn"]
        if trail.cloudwatch_logs:
            group = f"cloudtrail/{trail.name}"
            with step(f"{label}: CloudWatch Logs group {group!r}"):
                self.client("logs", region).create_log_group(logGroupName=group)
            create_trail["CloudWatchLogsLogGroupArn"] = f"arn:aws:logs:{region}:{self.account}:log-group:{group}:*"
            create_trail["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{self.account}:role/cloudtrail-to-cloudwatch"
        with step(label):
            ct.create_trail(**create_trail)
            # Real AWS gives a new trail this selector; moto reports none, so
            # it is always set explicitly.
            selector: dict[str, Any] = {
                "ReadWriteType": trail.read_write,
                "IncludeManagementEvents": True,
                "DataResources": [],
            }
            if not trail.management_events:
                selector["IncludeManagementEvents"] = False
                selector["DataResources"] = [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{bucket}/"]}]
            ct.put_event_selectors(TrailName=trail.name, EventSelectors=[selector])
            if trail.logging:
                ct.start_logging(Name=trail.name)
        log(
            f"{label}: {'multi-region' if trail.multi_region else 'single-region'}, "
            f"{'logging' if trail.logging else 'stopped'}, "
            f"management events {'on (' + trail.read_write + ')' if trail.management_events else 'off'}, "
            f"validation {'on' if trail.log_file_validation else 'off'}, kms {'on' if trail.kms else 'off'}, "
            f"cloudwatch {'on' if trail.cloudwatch_logs else 'off'}, bucket {bucket}"
        )


class step:
    """Turn boto errors inside the block into a SeedError naming the step."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ: Any, exc: Any, tb: Any) -> bool:
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise SeedError(
                f"{self.label}: {exc.operation_name} failed: "
                f"{err.get('Code', '?')}: {err.get('Message', '').strip() or f'HTTP {status}'}"
            ) from None
        if isinstance(exc, BotoCoreError):
            raise SeedError(f"{self.label}: {exc}") from None
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="seed.py",
        description="Seed one emulated AWS account from a YAML fixture; print scan credentials as JSON.",
    )
    parser.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:4566")
    parser.add_argument("--account", required=True, help="12-digit account id to seed")
    parser.add_argument("fixture", help="fixture YAML file")
    args = parser.parse_args(argv)

    if not re.fullmatch(r"\d{12}", args.account):
        parser.error(f"--account must be 12 digits, got {args.account!r}")
    if not re.match(r"^https?://", args.endpoint):
        parser.error(f"--endpoint must be an http(s) URL, got {args.endpoint!r}")
    # Only the explicit credentials and endpoint below may apply.
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)

    started = time.monotonic()
    try:
        try:
            with open(args.fixture, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except OSError as e:
            raise FixtureError(f"cannot read fixture: {e}") from None
        except yaml.YAMLError as e:
            raise FixtureError(f"invalid YAML: {e}") from None
        regions, iam = parse_fixture(doc)

        seeder = Seeder(args.endpoint.rstrip("/"), args.account)
        seeder.use(seeder.assume(SEED_ROLE, "test", "test"))
        seeder.check_regions(regions)
        log(f"seeding account {args.account} at {args.endpoint} from {args.fixture}")
        seeder.seed(regions)
        if iam is not None:
            seeder.iam(iam)
        scan = seeder.assume(SCAN_ROLE, "test", "test")
    except FixtureError as e:
        log(f"error: {args.fixture}: {e}")
        return 2
    except SeedError as e:
        log(f"error: {e}")
        return 1
    except Exception as e:  # a bug here or an emulator answer we did not expect
        traceback.print_exc()
        log(f"error: unexpected {type(e).__name__}: {e}")
        return 1
    log(f"done in {time.monotonic() - started:.1f}s; scan role {SCAN_ROLE} credentials on stdout")
    print(
        json.dumps(
            {
                "account_id": args.account,
                "access_key_id": scan["AccessKeyId"],
                "secret_access_key": scan["SecretAccessKey"],
                "session_token": scan["SessionToken"],
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
