"""The fixture format of localstack/seed.py, defined once.

Every key a fixture may hold is a ``Key`` of a ``Shape`` below: its kind,
whether it is required, its default, its allowed values (choices, pattern,
integer range) and a one-line meaning. The parser (the service modules
beside this one) takes from here the set of allowed and required keys of
every mapping (so an unknown or missing key is reported from this table),
and every default, choice list, pattern and range it applies; the
cross-key rules a table cannot say are each shape's ``notes``, enforced in
the service modules. The fixture-format reference in localstack/README.md
is generated from this module:

    python3 localstack/seeding/schema.py            # print the Markdown
    python3 localstack/seeding/schema.py --check    # exit 1 unless README.md holds it
    python3 localstack/seeding/schema.py --write    # put it into README.md

(standard library only: no venv needed). The README holds it between the
``BEGIN`` and ``END`` markers.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""A key without a default: absent, it is left out (None in the parsed fixture)."""


@dataclass(frozen=True)
class Key:
    name: str
    kind: str
    """bool, string, integer, choice, list, mapping, regions, tags, strings
    (a mapping of names to strings), document (a policy document), or other
    (its own rules; ``type_doc`` says what it takes)."""
    doc: str
    required: bool = False
    default: Any = UNSET
    default_doc: str = ""  # the default as the docs show it, when not a plain value
    choices: tuple = ()  # a choice's values, or the values of a list's items
    pattern: re.Pattern | None = None  # a string's pattern, or that of a list's items
    range: tuple[int, int] | None = None  # an integer's bounds, inclusive
    shape: Shape | None = None  # a mapping's keys, or those of a list's items
    type_doc: str = ""  # the type as the docs show it, when not derived from the kind
    api: str = ""  # the AWS API field the key sets, when the seeder maps keys to fields


@dataclass(frozen=True)
class Shape:
    title: str
    path: str
    keys: tuple[Key, ...]
    notes: str = ""
    passthrough: str = ""
    """An AWS API shape, "service:ShapeName": any of its fields is also a key
    here, sent as given (checked against botocore's model: seeding/api.py).
    A key of the shape's own with ``api`` set is the only way to set that field."""

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys if k.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys if not k.required)

    def key(self, name: str) -> Key:
        for k in self.keys:
            if k.name == name:
                return k
        raise KeyError(f"{self.title}: no key {name!r} in the schema")


# ------------------------------------------------------------ values --

REGION_RE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")
ECR_REPO_RE = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
# IAM account aliases: 3 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
ACCOUNT_ALIAS_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
SIGNING_PROFILE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:signer:[a-z0-9-]+:\d{12}:/signing-profiles/[A-Za-z0-9_]{2,64}$")
ECR_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
TRAIL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ECS_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
TD_REF_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}:[1-9][0-9]*$")
IAM_NAME_RE = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")

# A rule's protocol: one of these names (case-insensitive), or a number -1..255.
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "all": -1, "-1": -1}
PORT_RANGE = (0, 65535)
ICMP_RANGE = (-1, 255)
NETWORK_MODES = ("awsvpc", "bridge", "host", "none")
NAMESPACE_MODES = ("host", "task", "none")
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL")
SIGNATURES = ("cosign", "notation", "sigstore-bundle")
FINDING_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")
FINDING_COUNT_RANGE = (0, 100000)
FINDING_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
ELB_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
LISTENER_PROTOCOLS = ("HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP")

# ------------------------------------------------------------ shapes --
# Within a shape, required keys come first: the order of the keys is the
# order an "unknown key" error lists them in (required, then optional).

_PROTOCOL = Key(
    "protocol", "other", "the IP protocol: a name (any case) or a number, e.g. 6 or \"17\"", required=True,
    type_doc=" | ".join(PROTOCOLS) + " | 0..255",
)
_FROM_PORT = Key("from_port", "integer", "first port: required for tcp/udp, refused for others", range=PORT_RANGE)
_TO_PORT = Key("to_port", "integer", "last port, at least from_port: required for tcp/udp, refused for others",
               range=PORT_RANGE)
_ICMP_TYPE = Key("icmp_type", "integer", "ICMP type: only for icmp/icmpv6 (-1: any)", default=-1, range=ICMP_RANGE)
_ICMP_CODE = Key("icmp_code", "integer", "ICMP code: only for icmp/icmpv6 (-1: any)", default=-1, range=ICMP_RANGE)
_CIDR = Key("cidr", "other", "an IPv4 range, e.g. 0.0.0.0/0", type_doc="IPv4 CIDR")
_IPV6_CIDR = Key("ipv6_cidr", "other", "an IPv6 range, e.g. ::/0", type_doc="IPv6 CIDR")

SG_RULE = Shape(
    "security group rule",
    "regions.REGION.security_groups[].ingress[] and .egress[]",
    (_PROTOCOL, _FROM_PORT, _TO_PORT, _ICMP_TYPE, _ICMP_CODE, _CIDR, _IPV6_CIDR,
     Key("description", "string", "the rule's description (on each of its ranges)")),
    notes="At least one of `cidr` / `ipv6_cidr`; both give one permission with both ranges. "
    "Sent with `IpProtocol` tcp, udp, icmp, icmpv6 or -1 (other numbers as given); "
    "an ICMP rule's type and code go in `FromPort` / `ToPort`.",
)

SECURITY_GROUP = Shape(
    "security group",
    "regions.REGION.security_groups[]",
    (
        Key("name", "string", "the group name: unique in the region, not `default` (the VPC's own group)",
            required=True),
        Key("description", "string", "the group description (any text)", default_doc='"bulkhead fixture: NAME"'),
        Key("tags", "tags", "the group's tags"),
        Key("ingress", "list", "inbound rules: one AuthorizeSecurityGroupIngress", shape=SG_RULE),
        Key("egress", "list", "outbound rules: one AuthorizeSecurityGroupEgress, on top of the default "
            "allow-all egress", shape=SG_RULE),
        Key("attach", "bool", "also create a network interface in the first default subnet carrying this group",
            default=False),
    ),
    notes="Created in the region's default VPC.",
)

NACL_ENTRY = Shape(
    "network ACL entry",
    "regions.REGION.network_acls[].entries[]",
    (
        Key("rule", "integer", "the rule number: unique per direction", required=True, range=(1, 32766)),
        _PROTOCOL,
        Key("action", "choice", "what the entry does", required=True, choices=("allow", "deny")),
        Key("egress", "bool", "an outbound entry (else inbound)", default=False),
        _FROM_PORT, _TO_PORT, _ICMP_TYPE, _ICMP_CODE, _CIDR, _IPV6_CIDR,
    ),
    notes="Exactly one of `cidr` / `ipv6_cidr`. Sent (CreateNetworkAclEntry) with `Protocol` as a number "
    "string: tcp 6, udp 17, icmp 1, icmpv6 58, all -1.",
)

NETWORK_ACL = Shape(
    "network ACL",
    "regions.REGION.network_acls[]",
    (
        Key("name", "string", "the Name tag: unique in the region", required=True),
        Key("tags", "tags", "more tags (no `Name` here)"),
        Key("associate", "bool", "replace the association of the next default subnet (by AZ) not yet taken "
            "by another fixture ACL of the region", default=False),
        Key("entries", "list", "the entries, created in order (a new ACL has no others)", shape=NACL_ENTRY),
    ),
    notes="Created in the region's default VPC.",
)

ECR_SCAN_RULE = Shape(
    "registry scanning rule",
    "regions.REGION.ecr_registry.scanning.rules[]",
    (
        Key("frequency", "choice", "the rule's scanFrequency", required=True,
            choices=("SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL")),
        Key("filters", "list", "repository filters (WILDCARD), at least one", required=True),
    ),
)

ECR_SCANNING = Shape(
    "registry scanning",
    "regions.REGION.ecr_registry.scanning",
    (
        Key("type", "choice", "the registry's scan type", default="BASIC", choices=("BASIC", "ENHANCED")),
        Key("rules", "list", "the scanning rules", shape=ECR_SCAN_RULE),
    ),
    notes="One PutRegistryScanningConfiguration.",
)

ECR_SIGNING_RULE = Shape(
    "registry signing rule",
    "regions.REGION.ecr_registry.signing[]",
    (
        Key("profile", "string", "the rule's signingProfileArn (an AWS Signer signing profile ARN)", required=True,
            pattern=SIGNING_PROFILE_ARN_RE),
        Key("filters", "list", "repository filters (WILDCARD_MATCH, * matches any run of characters)",
            default_doc="every repository"),
    ),
    notes="The rules make one PutSigningConfiguration, sent before the region's repositories are created: "
    "server.py gives every image pushed into a repository a rule matches the signing status COMPLETE "
    "(DescribeImageSigningStatus) and stores no signature artifact for it.",
)

ECR_REGISTRY = Shape(
    "ECR registry",
    "regions.REGION.ecr_registry",
    (
        Key("scanning", "mapping", "the registry scanning configuration", default_doc="moto's",
            shape=ECR_SCANNING),
        Key("policy", "document", "the registry policy (PutRegistryPolicy), sent as JSON"),
        Key("signing", "list", "the ECR managed signing rules (PutSigningConfiguration)",
            default_doc="no signing configuration", shape=ECR_SIGNING_RULE),
    ),
)

ECR_IMAGE_CONFIG = Shape(
    "ECR image config",
    "regions.REGION.ecr_repositories[].images[].config",
    (
        Key("user", "string", "config.User"),
        Key("env", "strings", "config.Env, as NAME=value (never logged: fixtures hold fake secrets)"),
        Key("exposed_ports", "list", "config.ExposedPorts keys, e.g. 22/tcp"),
        Key("entrypoint", "list", "config.Entrypoint"),
        Key("cmd", "list", "config.Cmd"),
        Key("history", "list", "history[].created_by, one step each (never logged)"),
        Key("created", "string", "created (RFC 3339)", default_doc="2025-01-15T09:30:00Z"),
    ),
    notes="The config blob is uploaded to the repository through InitiateLayerUpload, UploadLayerPart and "
    "CompleteLayerUpload; server.py keeps its bytes and serves them at GetDownloadUrlForLayer's URL.",
)

ECR_LAYER = Shape(
    "ECR image layer",
    "regions.REGION.ecr_repositories[].images[].layers[]",
    (
        Key("files", "strings", "regular files: path inside the image -> content (never logged: fixtures hold "
            "fake secrets)"),
        Key("delete", "list", "paths a whiteout (.wh.NAME) deletes from the layers below"),
        Key("opaque", "list", "directories made opaque (.wh..wh..opq): the layers below lose their contents"),
        Key("symlinks", "strings", "symbolic links: path -> target"),
        Key("compression", "choice", "how the blob is compressed", default="gzip", choices=("gzip", "none")),
    ),
    notes="Each layer is a real tar blob (fixed times and owners, so the same fixture always yields the same "
    "digest), uploaded through InitiateLayerUpload, UploadLayerPart and CompleteLayerUpload; the manifest lists "
    "the layers in order. An image without `layers` keeps one made-up layer digest that the registry has no blob "
    "for (GetDownloadUrlForLayer then fails for it).",
)

ECR_FINDING = Shape(
    "ECR scan finding",
    "regions.REGION.ecr_repositories[].images[].findings[]",
    (
        Key("id", "string", "the vulnerability id (CVE-2024-3094): a basic finding's `name`, an enhanced "
            "one's `packageVulnerabilityDetails.vulnerabilityId`", required=True, pattern=FINDING_ID_RE),
        Key("severity", "choice", "the finding's severity", required=True, choices=FINDING_SEVERITIES),
        Key("package", "string", "the vulnerable package's name", required=True),
        Key("version", "string", "the package version installed", required=True),
        Key("fixed_in", "string", "the version that fixes it (enhanced `fixedInVersion`; `fixAvailable` YES)",
            default_doc="no fix (`fixAvailable` NO)"),
        Key("exploit", "bool", "enhanced `exploitAvailable` YES / NO", default=False),
        Key("score", "other", "enhanced `score` (Inspector's), basic `CVSS3_SCORE`", default_doc="none",
            type_doc="number 0.1..10"),
    ),
    notes="Each finding is stored both ways, as a basic `findings[]` entry and as an `enhancedFindings[]` "
    "one; server.py (item 8) answers the list of the registry's scanning type.",
)

ECR_IMAGE = Shape(
    "ECR image",
    "regions.REGION.ecr_repositories[].images[]",
    (
        Key("tag", "string", "the image tag: unique in the repository; quote tags YAML would read as numbers "
            '("1.10")', required=True, pattern=ECR_TAG_RE),
        Key("signature", "other", "the signatures pushed with the image (see What the seeder creates)",
            default_doc="none", choices=SIGNATURES,
            type_doc="none | " + " | ".join(SIGNATURES) + f", or a list of the last {len(SIGNATURES)}"),
        Key("scan", "other", "none: never scanned; clean: scanned, no findings; else the scan's "
            "findingSeverityCounts (" + ", ".join(FINDING_SEVERITIES) + ")", default_doc="none",
            choices=FINDING_SEVERITIES, range=FINDING_COUNT_RANGE,
            type_doc="none | clean | mapping of severity to integer "
            f"{FINDING_COUNT_RANGE[0]}..{FINDING_COUNT_RANGE[1]}"),
        Key("findings", "list", "scan the image and have DescribeImageScanFindings report these findings "
            "(severity counts derived from them); not with `scan`, whose results carry counts but no findings "
            "(under ENHANCED scanning: no `enhancedFindings` at all, as for an image Inspector has not reported "
            "on)", default_doc="none", shape=ECR_FINDING),
        Key("config", "mapping", "what the image's config blob says besides its platform and labels",
            default_doc="no user, env, ports or history", shape=ECR_IMAGE_CONFIG),
        Key("layers", "list", "the image's layers, bottom first, as real blobs", default_doc="one layer "
            "digest without a blob", shape=ECR_LAYER),
        Key("platforms", "list", "push an image index with one manifest per platform (os/arch, e.g. "
            "linux/arm64) under the tag, instead of a single manifest", default_doc="a single linux/amd64 manifest"),
        Key("config_blob", "choice", "missing: push the manifest without uploading its config blob "
            "(GetDownloadUrlForLayer then fails)", default="upload", choices=("upload", "missing")),
        Key("pushed", "choice", "after_tasks: pushed once the region's ECS services and tasks run; it may "
            "reuse the tag of an image pushed before, and that tag then moves under the running tasks",
            default="before_tasks", choices=("before_tasks", "after_tasks")),
    ),
)

ECR_REPOSITORY = Shape(
    "ECR repository",
    "regions.REGION.ecr_repositories[]",
    (
        Key("name", "string", "the repository name: unique in the region", required=True, pattern=ECR_REPO_RE),
        Key("tags", "tags", "the repository's tags"),
        Key("policy", "document", "the repository policy (SetRepositoryPolicy), sent as JSON"),
        Key("images", "list", "images pushed in order", shape=ECR_IMAGE),
        Key("scan_on_push", "bool", "the repository's scanOnPush", default=False),
        Key("tag_mutability", "choice", "the repository's imageTagMutability", default="MUTABLE",
            choices=("MUTABLE", "IMMUTABLE")),
        Key("encryption", "choice", "the repository's encryptionType", default="AES256", choices=("AES256", "KMS")),
        Key("lifecycle_policy", "bool", "a lifecycle policy that expires untagged images after 14 days",
            default=False),
    ),
)

TRAIL = Shape(
    "trail",
    "regions.REGION.trails[]",
    (
        Key("name", "string", "the trail name: unique in the region", required=True, pattern=TRAIL_RE),
        Key("multi_region", "bool", "a multi-region trail", default=False),
        Key("logging", "bool", "StartLogging after creating it", default=True),
        Key("management_events", "bool", "false: one data-event selector (S3 objects of the trail bucket) "
            "and no management events", default=True),
        Key("s3_bucket", "string", "the log bucket, created (with the usual CloudTrail bucket policy)",
            default_doc="TRAIL-ACCOUNT-REGION, lowercased", pattern=BUCKET_RE),
        Key("read_write", "choice", "the event selector's ReadWriteType", default="All",
            choices=("All", "ReadOnly", "WriteOnly")),
        Key("log_file_validation", "bool", "log file validation", default=False),
        Key("kms", "bool", "a new KMS key encrypts the logs", default=False),
        Key("cloudwatch_logs", "bool", "a new log group cloudtrail/NAME receives the logs", default=False),
    ),
    notes="The trail's home region is the region it is listed under. It always gets an explicit event "
    "selector (moto reports none for a new trail where AWS reports the default one).",
)

CONTAINER_LOG = Shape(
    "container log configuration",
    "regions.REGION.ecs_task_definitions[].containers[].log",
    (
        Key("driver", "string", "the logDriver, e.g. awslogs", required=True),
        Key("mode", "choice", "the mode option", choices=("blocking", "non-blocking")),
        Key("options", "strings", "more options of the driver, name to value (never logged: fixtures hold fake "
            "secrets)"),
    ),
    notes="The options also get awslogs-group /ecs/FAMILY, awslogs-region REGION and "
    "awslogs-stream-prefix CONTAINER.",
)

CONTAINER = Shape(
    "container",
    "regions.REGION.ecs_task_definitions[].containers[]",
    (
        Key("name", "string", "the container name: unique in the task definition", required=True,
            pattern=ECS_NAME_RE, api="name"),
        Key("image", "string", "the image; `{account}` and `{region}` become the seeded account and region",
            required=True, api="image"),
        Key("privileged", "bool", "run it privileged", api="privileged"),
        Key("user", "string", "the user, e.g. \"1000:1000\"", api="user"),
        Key("readonly_root_filesystem", "bool", "a read-only root file system", api="readonlyRootFilesystem"),
        Key("log", "other", "the log configuration", default_doc="none", shape=CONTAINER_LOG,
            type_doc="none | container log configuration", api="logConfiguration"),
        Key("environment", "strings", "plain variables (never logged: fixtures hold fake secrets)",
            api="environment"),
        Key("secrets", "strings", "secrets: name to valueFrom", api="secrets"),
        Key("ports", "list", "container ports (TCP)", api="portMappings"),
    ),
    notes="Every container gets memory 128 and essential true (moto's RunTask needs a memory figure); "
    "a key left out is left out of the definition.",
    passthrough="ecs:ContainerDefinition",
)

TASK_DEFINITION = Shape(
    "task definition",
    "regions.REGION.ecs_task_definitions[]",
    (
        Key("family", "string", "the family: listed twice, it gets revisions 1 and 2", required=True,
            pattern=ECS_NAME_RE, api="family"),
        Key("containers", "list", "the containers: at least one", required=True, shape=CONTAINER,
            api="containerDefinitions"),
        Key("network_mode", "choice", "the network mode", choices=NETWORK_MODES, api="networkMode"),
        Key("pid_mode", "choice", "the PID namespace", choices=NAMESPACE_MODES, api="pidMode"),
        Key("ipc_mode", "choice", "the IPC namespace", choices=NAMESPACE_MODES, api="ipcMode"),
        Key("requires", "list", "launch types; FARGATE adds cpu 256 / memory 512", choices=LAUNCH_TYPES,
            api="requiresCompatibilities"),
    ),
    notes="Registered in order; the last revision of a family is its latest ACTIVE one.",
    passthrough="ecs:RegisterTaskDefinitionRequest",
)

ECS_SERVICE_LOAD_BALANCER = Shape(
    "ECS service load balancer",
    "regions.REGION.ecs_clusters[].services[].load_balancers[]",
    (
        Key("target_group", "string", "a target group of this region's `target_groups`", required=True,
            pattern=ELB_NAME_RE),
        Key("container", "string", "the container name", required=True),
        Key("port", "integer", "the container port", required=True, range=(1, 65535)),
    ),
)

ECS_SERVICE = Shape(
    "ECS service",
    "regions.REGION.ecs_clusters[].services[]",
    (
        Key("name", "string", "the service name: unique in the cluster", required=True, pattern=ECS_NAME_RE),
        Key("task_definition", "string", "FAMILY:REVISION, registered by this region's fixture", required=True,
            pattern=TD_REF_RE),
        Key("launch_type", "choice", "the launchType", default="FARGATE", choices=LAUNCH_TYPES),
        Key("platform_version", "string", "the platformVersion"),
        Key("assign_public_ip", "bool", "an awsvpc configuration (first default subnet, default security group) "
            "with assignPublicIp ENABLED / DISABLED", default_doc="no network configuration"),
        Key("running", "integer", "tasks RunTask starts for the service (group service:NAME, its network "
            "configuration), as ECS would for its desired count; moto starts none itself", default=0,
            range=(0, 10)),
        Key("load_balancers", "list", "the service's `loadBalancers[]`: target groups of this region's fixture "
            "its container is registered with (an awsvpc configuration is added when there is none)",
            shape=ECS_SERVICE_LOAD_BALANCER),
        Key("security_group", "string", "a security group of this region's fixture for its awsvpc "
            "configuration", default_doc="the default VPC's own group"),
        Key("ipv6", "bool", "each running task's network interface gets an IPv6 address "
            "(AssignIpv6Addresses; the region's `ipv6` gives the subnets theirs)", default=False),
        Key("task_set_public_ip", "bool", "the service uses the EXTERNAL deployment controller and gets one task "
            "set (CreateTaskSet, its task definition, first default subnet, default security group) with "
            "assignPublicIp ENABLED / DISABLED", default_doc="no task set"),
    ),
    notes="CreateService with desiredCount 1.",
)

ECS_TASK = Shape(
    "ECS task",
    "regions.REGION.ecs_clusters[].tasks[]",
    (
        Key("task_definition", "string", "FAMILY:REVISION, registered by this region's fixture", required=True,
            pattern=TD_REF_RE),
        Key("count", "integer", "how many tasks", default=1, range=(1, 10)),
    ),
    notes="RunTask, launch type FARGATE, in the first default subnet with the default security group, "
    "no public IP.",
)

ECS_CLUSTER = Shape(
    "ECS cluster",
    "regions.REGION.ecs_clusters[]",
    (
        Key("name", "string", "the cluster name: unique in the region", required=True, pattern=ECS_NAME_RE),
        Key("container_insights", "choice", "the containerInsights setting", default_doc="moto's",
            choices=("enabled", "disabled", "enhanced")),
        Key("services", "list", "services in the cluster", shape=ECS_SERVICE),
        Key("tasks", "list", "tasks run in the cluster", shape=ECS_TASK),
    ),
)

TARGET_GROUP = Shape(
    "target group",
    "regions.REGION.target_groups[]",
    (
        Key("name", "string", "the target group name: unique in the region", required=True, pattern=ELB_NAME_RE),
        Key("port", "integer", "the port targets receive traffic on", required=True, range=(1, 65535)),
        Key("protocol", "choice", "the protocol targets receive traffic with", default="HTTP",
            choices=LISTENER_PROTOCOLS),
        Key("target_type", "choice", "what registers with it (ECS awsvpc tasks: ip)", default="ip",
            choices=("ip", "instance")),
    ),
    notes="CreateTargetGroup in the region's default VPC.",
)

LISTENER = Shape(
    "listener",
    "regions.REGION.load_balancers[].listeners[]",
    (
        Key("port", "integer", "the port it listens on", required=True, range=(1, 65535)),
        Key("protocol", "choice", "the protocol it listens with", default="HTTP", choices=LISTENER_PROTOCOLS),
        Key("target_group", "string", "a target group of this region's `target_groups` it forwards to "
            "(required unless it redirects to HTTPS)", pattern=ELB_NAME_RE),
        Key("redirect_to_https", "bool", "the default action redirects to HTTPS (port 443, HTTP_301) instead "
            "of forwarding", default=False),
        Key("ssl_policy", "string", "the security policy of an HTTPS or TLS listener",
            default_doc="moto's: ELBSecurityPolicy-2016-08"),
    ),
    notes="CreateListener with one default action, forward to the target group (which is what puts the "
    "load balancer in the target group's `LoadBalancerArns`) or a redirect to HTTPS.",
)

LOAD_BALANCER = Shape(
    "load balancer",
    "regions.REGION.load_balancers[]",
    (
        Key("name", "string", "the load balancer name: unique in the region", required=True, pattern=ELB_NAME_RE),
        Key("scheme", "choice", "the load balancer's scheme", default="internet-facing",
            choices=("internet-facing", "internal")),
        Key("type", "choice", "the load balancer's type", default="application", choices=("application", "network")),
        Key("security_groups", "list", "security groups by fixture name (`default`: the default VPC's own group)",
            default_doc="the default VPC's own group"),
        Key("listeners", "list", "its listeners", shape=LISTENER),
        Key("ip_address_type", "choice", "the address families it listens on", default="ipv4",
            choices=("ipv4", "dualstack")),
        Key("access_logs", "string", "an S3 bucket name: access logs on, to it", default_doc="no access logs"),
        Key("drop_invalid_header_fields", "bool", "routing.http.drop_invalid_header_fields.enabled",
            default=False),
        Key("web_acl", "bool", "a WAFv2 web ACL (NAME-acl, regional, allow by default) associated with it",
            default=False),
    ),
    notes="CreateLoadBalancer in the default VPC's first two subnets (by availability zone); "
    "ModifyLoadBalancerAttributes for the attributes given.",
)

EKS_NODEGROUP = Shape(
    "EKS node group",
    "regions.REGION.eks_clusters[].nodegroups[]",
    (
        Key("name", "string", "the node group name: unique in the cluster", required=True, pattern=ECS_NAME_RE),
        Key("http_tokens", "choice", "a launch template (CreateLaunchTemplate) with this MetadataOptions.HttpTokens",
            default_doc="no launch template", choices=("optional", "required")),
        Key("hop_limit", "integer", "the launch template's MetadataOptions.HttpPutResponseHopLimit (with http_tokens)",
            range=(1, 64)),
    ),
    notes="CreateNodegroup in the first two default subnets, naming its launch template by id, version 1.",
)

EKS_ACCESS_POLICY = Shape(
    "EKS access policy",
    "regions.REGION.eks_clusters[].access_entries[].policies[]",
    (
        Key("policy", "string", "the access policy's name (AmazonEKSClusterAdminPolicy, AmazonEKSViewPolicy, ...)",
            required=True),
        Key("scope", "choice", "its accessScope.type (namespace scope: namespace `default`)", default="cluster",
            choices=("cluster", "namespace")),
    ),
)

EKS_ACCESS_ENTRY = Shape(
    "EKS access entry",
    "regions.REGION.eks_clusters[].access_entries[]",
    (
        Key("principal", "string", "the IAM principal's ARN; `{account}` becomes the seeded account", required=True),
        Key("policies", "list", "access policies associated with it (AssociateAccessPolicy)",
            shape=EKS_ACCESS_POLICY),
    ),
    notes="CreateAccessEntry; needs authentication_mode API or API_AND_CONFIG_MAP.",
)

EKS_CLUSTER = Shape(
    "EKS cluster",
    "regions.REGION.eks_clusters[]",
    (
        Key("name", "string", "the cluster name: unique in the region", required=True, pattern=ECS_NAME_RE),
        Key("version", "string", "the Kubernetes version", default="1.33"),
        Key("public_endpoint", "bool", "resourcesVpcConfig.endpointPublicAccess (private access is its opposite)",
            default=False),
        Key("public_access_cidrs", "list", "resourcesVpcConfig.publicAccessCidrs (with public_endpoint)",
            default_doc="0.0.0.0/0"),
        Key("secrets_key", "bool", "encryptionConfig for secrets with a KMS key the seeder creates", default=False),
        Key("log_types", "list", "control plane log types turned on", default_doc="none",
            choices=("api", "audit", "authenticator", "controllerManager", "scheduler")),
        Key("authentication_mode", "choice", "accessConfig.authenticationMode", default="CONFIG_MAP",
            choices=("CONFIG_MAP", "API", "API_AND_CONFIG_MAP")),
        Key("nodegroups", "list", "managed node groups", shape=EKS_NODEGROUP),
        Key("access_entries", "list", "access entries", shape=EKS_ACCESS_ENTRY),
    ),
    notes="CreateCluster in the default VPC's first two subnets (role `eks-cluster`, not created).",
)

GUARDDUTY_FEATURE = Shape(
    "GuardDuty feature",
    "regions.REGION.guardduty.features[]",
    (
        Key("name", "string", "the feature (EKS_AUDIT_LOGS, RUNTIME_MONITORING, ...)", required=True),
        Key("status", "choice", "its status", default="ENABLED", choices=("ENABLED", "DISABLED")),
        Key("agents", "list", "additional configuration turned ENABLED (EKS_ADDON_MANAGEMENT, "
            "ECS_FARGATE_AGENT_MANAGEMENT, ...)"),
    ),
)

GUARDDUTY = Shape(
    "GuardDuty",
    "regions.REGION.guardduty",
    (
        Key("enabled", "bool", "the detector's status ENABLED / DISABLED", default=True),
        Key("features", "list", "the detector's features", shape=GUARDDUTY_FEATURE),
    ),
    notes="CreateDetector. A region without the key has no detector.",
)

INSPECTOR = Shape(
    "Inspector",
    "regions.REGION.inspector",
    (
        Key("ecr", "bool", "Enable with resource type ECR for the account", default=True),
    ),
    notes="A region without the key has Inspector off (every resource DISABLED).",
)

REGION = Shape(
    "region",
    "regions.REGION",
    (
        Key("security_groups", "list", "security groups", shape=SECURITY_GROUP),
        Key("network_acls", "list", "network ACLs", shape=NETWORK_ACL),
        Key("ecr_repositories", "list", "ECR repositories", shape=ECR_REPOSITORY),
        Key("trails", "list", "CloudTrail trails", shape=TRAIL),
        Key("ecr_registry", "mapping", "the ECR registry's settings", shape=ECR_REGISTRY),
        Key("restrict_default_security_group", "bool", "revoke every rule of the default VPC's default group",
            default=False),
        Key("ecs_task_definitions", "list", "ECS task definitions", shape=TASK_DEFINITION),
        Key("ecs_clusters", "list", "ECS clusters", shape=ECS_CLUSTER),
        Key("target_groups", "list", "Elastic Load Balancing v2 target groups", shape=TARGET_GROUP),
        Key("load_balancers", "list", "Elastic Load Balancing v2 load balancers", shape=LOAD_BALANCER),
        Key("ipv6", "choice", "an Amazon-provided IPv6 block on the default VPC, a /64 of it on each default "
            "subnet, and `::/0` in its main route table to an internet gateway or an egress-only one",
            choices=("internet", "egress_only"), default_doc="no IPv6"),
        Key("vpc_flow_logs", "bool", "a flow log of all the default VPC's traffic, to S3", default=False),
        Key("eks_clusters", "list", "EKS clusters", shape=EKS_CLUSTER),
        Key("guardduty", "mapping", "a GuardDuty detector", shape=GUARDDUTY),
        Key("inspector", "mapping", "Amazon Inspector's scanning for the account", shape=INSPECTOR),
    ),
    notes="A region's value may be null (nothing to create there).",
)

PASSWORD_POLICY = Shape(
    "password policy",
    "iam.password_policy",
    (
        Key("minimum_length", "integer", "minimum password length", range=(1, 1095), api="MinimumPasswordLength"),
        Key("reuse", "integer", "passwords remembered", range=(1, 1095), api="PasswordReusePrevention"),
        Key("max_age", "integer", "maximum password age in days", range=(1, 1095), api="MaxPasswordAge"),
        Key("uppercase", "bool", "require an uppercase letter", api="RequireUppercaseCharacters"),
        Key("lowercase", "bool", "require a lowercase letter", api="RequireLowercaseCharacters"),
        Key("numbers", "bool", "require a number", api="RequireNumbers"),
        Key("symbols", "bool", "require a symbol", api="RequireSymbols"),
    ),
    notes="One UpdateAccountPasswordPolicy with the keys given (null counts as false for the flags).",
)

IAM_POLICY = Shape(
    "IAM policy",
    "iam.policies[]",
    (
        Key("name", "string", "the policy name: unique", required=True, pattern=IAM_NAME_RE),
        Key("document", "document", "the policy document, sent as JSON", required=True),
    ),
    notes="A customer managed policy (CreatePolicy).",
)

IAM_USER = Shape(
    "IAM user",
    "iam.users[]",
    (
        Key("name", "string", "the user name: unique", required=True, pattern=IAM_NAME_RE),
        Key("console_password", "bool", "a console password (CreateLoginProfile)", default=False),
        Key("mfa", "choice", "virtual: a virtual MFA device, enabled", default="none", choices=("none", "virtual")),
        Key("access_keys", "list", "access keys in creation order, at most two", choices=("active", "inactive")),
        Key("attached_policies", "list", "policies attached: a name under iam.policies, or an ARN"),
        Key("access_key_age_days", "integer", "backdate the user's keys by this many days (server.py's "
            "test-bed control)", default=0, range=(0, 3650)),
    ),
)

IAM_ROOT = Shape(
    "IAM root user",
    "iam.root",
    (
        Key("mfa", "choice", "the root user's MFA", default="none", choices=("none", "virtual", "hardware")),
        Key("access_key", "bool", "whether the root user has an access key", default=False),
    ),
    notes="No AWS API sets these: the seeder sets them through server.py's test-bed control "
    "(`POST /_bulkhead/iam`).",
)

IAM = Shape(
    "IAM",
    "iam",
    (
        Key("password_policy", "mapping", "the account password policy (absent: none)", shape=PASSWORD_POLICY),
        Key("users", "list", "IAM users", shape=IAM_USER),
        Key("policies", "list", "customer managed policies", shape=IAM_POLICY),
        Key("root", "mapping", "the root user's MFA and access key", shape=IAM_ROOT),
        Key("account_alias", "string", "the account alias (`CreateAccountAlias`; absent: none): the account's "
            "name in the OCSF and ASFF reports", pattern=ACCOUNT_ALIAS_RE),
    ),
    notes="Global: created through us-east-1, after every region. The value may be null.",
)

ORG_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,49}$")

ORG_ACCOUNT = Shape(
    "organization account",
    "organization...accounts[]",
    (
        Key("name", "string", "the account's name (CreateAccount): unique in the organization", required=True,
            pattern=ORG_NAME_RE, api="AccountName"),
        Key("email", "string", "the account's email", default_doc="NAME (spaces as -)@example.com", api="Email"),
        Key("state", "choice", "`suspended`: closed (CloseAccount) once seeded, so its State is SUSPENDED",
            default="active", choices=("active", "suspended")),
        Key("audit_role", "bool", "create the organization's audit role in the account (false: the role is "
            "missing, so bulkhead cannot assume it)", default=True),
        Key("regions", "regions", "what to create in the account, as a fixture's `regions`", default_doc="{}"),
        Key("iam", "mapping", "the account's IAM state, as a fixture's `iam`", shape=IAM),
    ),
    notes="Created with CreateAccount (moto picks its 12-digit id, which seed.py prints), moved into its unit, "
          "then seeded through the role OrganizationAccountAccessRole that CreateAccount made in it, as a "
          "management account would.",
)

ORG_INNER_UNIT = Shape(
    "nested organizational unit",
    "organization.units[].units[]",
    (
        Key("name", "string", "the unit's name: unique in the organization", required=True, pattern=ORG_NAME_RE),
        Key("accounts", "list", "the accounts directly in the unit", shape=ORG_ACCOUNT),
    ),
)

ORG_UNIT = Shape(
    "organizational unit",
    "organization.units[]",
    (
        Key("name", "string", "the unit's name: unique in the organization", required=True, pattern=ORG_NAME_RE),
        Key("accounts", "list", "the accounts directly in the unit", shape=ORG_ACCOUNT),
        Key("units", "list", "units nested in this one (one more level)", shape=ORG_INNER_UNIT),
    ),
)

ORGANIZATION = Shape(
    "organization",
    "organization",
    (
        Key("audit_role", "string", "the role made in every member account for bulkhead to assume",
            default="bulkhead-audit", pattern=IAM_NAME_RE),
        Key("audit_role_path", "string", "the audit role's IAM path", default="/",
            pattern=re.compile(r"^/([!-.0-~]+/)*$")),
        Key("external_id", "string", "the sts:ExternalId the audit role's trust policy requires (absent: none)",
            pattern=re.compile(r"^[A-Za-z0-9+=,.@:/_-]{2,1224}$")),
        Key("accounts", "list", "member accounts directly under the root", shape=ORG_ACCOUNT),
        Key("units", "list", "organizational units under the root", shape=ORG_UNIT),
    ),
    notes="The fixture's own account becomes the management account (CreateOrganization, all features), "
          "seeded as usual first. seed.py's JSON line gains `organization`: `{\"root\": ROOT_ID, \"units\": "
          "{NAME: OU_ID}, \"accounts\": {NAME: ACCOUNT_ID}}`. Through server.py, AssumeRole into a member "
          "account needs a role that exists there (and its external id).",
)

FIXTURE = Shape(
    "fixture",
    "(the document)",
    (
        Key("regions", "regions", "region name to what to create there; `{}` seeds nothing (an account with "
            f"only moto's defaults). A name must match `{REGION_RE.pattern}` and be a region the emulator knows",
            required=True),
        Key("iam", "mapping", "global IAM state", shape=IAM),
        Key("organization", "mapping", "an AWS Organization with this account as its management account",
            shape=ORGANIZATION),
    ),
)

INTRO = """\
YAML. The tables below are the full set of keys allowed at each level (a
table that says so also takes the fields of an AWS API shape, passed through);
any other key is an error naming its path (e.g. `regions.us-east-1.security_groups[0]:
unknown key 'ingres'`), and so is a missing required key. Lists may be empty,
null or left out. The fixture is validated in full before anything is created
(exit status 2 on an error)."""


# ------------------------------------------------------------ markdown --

BEGIN = "<!-- fixture-schema:begin (generated by localstack/seeding/schema.py: edit that, then run it with --write) -->"
END = "<!-- fixture-schema:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def shapes() -> list[Shape]:
    """Every shape, depth first from the document, each once."""
    found: list[Shape] = []

    def walk(shape: Shape) -> None:
        if shape in found:
            return
        found.append(shape)
        for key in shape.keys:
            if key.shape is not None:
                walk(key.shape)
            if key.kind == "regions":
                walk(REGION)

    walk(FIXTURE)
    return found


def _code(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return f"`{value}`"


def type_text(key: Key) -> str:
    if key.type_doc:
        return key.type_doc
    if key.kind == "integer":
        return f"integer {key.range[0]}..{key.range[1]}"
    if key.kind == "choice":
        return " | ".join(key.choices)
    if key.kind == "list":
        if key.shape is not None:
            return f"list of {key.shape.title}"
        if key.choices:
            return "list of " + " | ".join(key.choices)
        return "list of strings"
    if key.kind == "mapping":
        return f"mapping ({key.shape.title})"
    if key.kind == "regions":
        return f"mapping of region name to {REGION.title}"
    if key.kind in ("tags", "strings"):
        return "mapping of string to string" + (" (or integer)" if key.kind == "tags" else "")
    if key.kind == "document":
        return "mapping (a policy document)"
    return key.kind


def default_text(key: Key) -> str:
    if key.required:
        return "required"
    if key.default_doc:
        return key.default_doc
    if key.default is not UNSET:
        return _code(key.default).strip("`")
    if key.kind in ("list", "tags", "strings"):
        return "empty"
    return "unset"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(shape: Shape) -> list[str]:
    lines = [f"### {shape.title}: `{shape.path}`", "",
             "| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for key in shape.keys:
        meaning = key.doc
        if key.api:
            meaning += f" (`{key.api}`)"
        if key.pattern is not None:
            meaning += f"; matches `{key.pattern.pattern}`"
        lines.append(
            f"| `{key.name}` | {_cell(type_text(key))} | {_cell(default_text(key))} | {_cell(meaning)} |"
        )
    if shape.notes:
        lines += ["", shape.notes]
    if shape.passthrough:
        service, name = shape.passthrough.split(":")
        lines += ["", f"Any other field of the {service} API's `{name}`, spelt as the API spells it (e.g. "
                  "`linuxParameters`), is sent as given, except the fields the keys above set. botocore's model "
                  "of the API checks its name, type, nested keys and enum values first (seeding/api.py), so a "
                  "misspelt key is still an error naming its path."]
    return lines


def _outline_type(key: Key) -> str:
    if key.kind == "bool":
        return "bool"
    if key.kind in ("tags", "strings"):
        return "{string: string}"
    if key.kind == "document":
        return "{policy document}"
    if key.kind == "list" and key.shape is None:
        return "[" + (" | ".join(key.choices) if key.choices else "string") + "]"
    return type_text(key)


def _outline(shape: Shape, indent: int, seen: set[str], item: bool = False) -> list[str]:
    """A YAML skeleton of shape's keys: each with its type, or its nested keys."""
    lines = []
    for n, key in enumerate(shape.keys):
        lead = " " * indent + ("- " if item and n == 0 else "  " if item else "")
        default = default_text(key)
        note = "required" if key.required else "" if default in ("unset", "empty") else default
        nested = REGION if key.kind == "regions" else key.shape
        if nested is None or nested.title in seen:
            value = f"[{nested.title}]" if nested is not None else _outline_type(key)
            lines.append(_comment(f"{lead}{key.name}: {value}", note + (", as above" if nested else "")))
            continue
        seen.add(nested.title)
        if key.kind == "other":
            note = f"{note}, or:"
        lines.append(_comment(f"{lead}{key.name}:", note))
        if key.kind == "regions":
            lines.append(" " * (len(lead) + 2) + "REGION:")
            lines += _outline(REGION, len(lead) + 4, seen)
        else:
            lines += _outline(nested, len(lead) + 2, seen, item=key.kind == "list")
    return lines


def _comment(line: str, note: str) -> str:
    note = note.strip(", ")
    return f"{line.ljust(43)} # {note}" if note else line


def markdown() -> str:
    """The fixture-format reference, as it stands between the README markers."""
    lines = [INTRO, "", "Outline (types in place of values; the tables say what each key means):", "", "```yaml"]
    lines += _outline(FIXTURE, 0, set())
    lines += ["```", ""]
    for shape in shapes():
        lines += _table(shape) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def readme_section(text: str) -> tuple[int, int]:
    """Offsets of the generated text between the markers in the README text."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"schema.py: {README} lacks the markers {BEGIN!r} ... {END!r}")
    return start + len(BEGIN) + 1, end


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schema.py", description="Print the fixture-format reference (Markdown).")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help=f"exit 1 unless {README.name} holds the current text")
    mode.add_argument("--write", action="store_true", help=f"put the current text into {README.name}")
    args = parser.parse_args(argv)
    text = markdown()
    if not args.check and not args.write:
        sys.stdout.write(text)
        return 0
    readme = README.read_text(encoding="utf-8")
    start, end = readme_section(readme)
    if args.check:
        if readme[start:end] != text:
            print(f"schema.py: the fixture format in {README} is stale: "
                  "run python3 localstack/seeding/schema.py --write", file=sys.stderr)
            return 1
        return 0
    README.write_text(readme[:start] + text + readme[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
