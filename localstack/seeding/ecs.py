"""ECS: task definitions (in order, so a family listed twice gets revisions 1 and 2), clusters, services, tasks.

Fixture keys: seeding/schema.py (TASK_DEFINITION, CONTAINER, CONTAINER_LOG,
ECS_CLUSTER, ECS_SERVICE, ECS_TASK). A task definition or container may also
give any field of the API's own shape, passed through (seeding/api.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import edge, elbv2, schema
from .core import Seeder, log, step
from .validate import (
    FixtureError,
    _choice,
    _list,
    _str_map,
    _unique,
    key_bool,
    key_choice,
    key_int,
    key_mapping,
    key_opt_bool,
    key_str,
    passed_through,
)


@dataclass
class Container:
    name: str
    image: str
    privileged: bool | None
    user: str | None
    readonly_root_filesystem: bool | None
    log_driver: str | None
    log_mode: str | None
    log_options: dict[str, str]
    environment: dict[str, str]
    secrets: dict[str, str]
    ports: list[int]
    api_fields: dict[str, Any] = field(default_factory=dict)  # other ContainerDefinition fields, as given


@dataclass
class TaskDefinition:
    family: str
    network_mode: str | None
    pid_mode: str | None
    ipc_mode: str | None
    requires: list[str]
    containers: list[Container]
    api_fields: dict[str, Any] = field(default_factory=dict)  # other RegisterTaskDefinition fields, as given


@dataclass
class EcsService:
    name: str
    task_definition: str
    launch_type: str
    platform_version: str | None
    assign_public_ip: bool | None
    running: int
    load_balancers: list[tuple[str, str, int]] = field(default_factory=list)  # (target group, container, port)
    security_group: str | None = None  # a fixture group's name; None: the default VPC's own group
    ipv6: bool = False
    task_set_public_ip: bool | None = None


@dataclass
class EcsCluster:
    name: str
    container_insights: str | None
    services: list[EcsService]
    tasks: list[tuple[str, int]]


# -- parsing --


def _container(raw: Any, cp: str) -> Container:
    shape = schema.CONTAINER
    c = key_mapping(shape, raw, cp)
    log_driver = log_mode = None
    log_options: dict[str, str] = {}
    if "log" in c and c["log"] != "none":
        log_spec = key_mapping(schema.CONTAINER_LOG, c["log"], f"{cp}.log")
        log_driver = key_str(schema.CONTAINER_LOG, log_spec, "driver", f"{cp}.log")
        log_mode = key_choice(schema.CONTAINER_LOG, log_spec, "mode", f"{cp}.log")
        log_options = _str_map(log_spec.get("options"), f"{cp}.log.options")
    return Container(
        name=key_str(shape, c, "name", cp),
        image=key_str(shape, c, "image", cp),
        privileged=key_opt_bool(c, "privileged", cp),
        user=key_str(shape, c, "user", cp),
        readonly_root_filesystem=key_opt_bool(c, "readonly_root_filesystem", cp),
        log_driver=log_driver,
        log_mode=log_mode,
        log_options=log_options,
        environment=_str_map(c.get("environment"), f"{cp}.environment"),
        secrets=_str_map(c.get("secrets"), f"{cp}.secrets"),
        ports=[_port(v, f"{cp}.ports[{n}]") for n, v in enumerate(_list(c.get("ports"), f"{cp}.ports"))],
        api_fields=passed_through(shape, c),
    )


def _port(raw: Any, path: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 65535:
        raise FixtureError(f"{path}: a port is an integer 1..65535, got {raw!r}")
    return raw


def parse_task_definitions(rspec: dict, rpath: str) -> tuple[list[TaskDefinition], dict[str, int]]:
    """The task definitions, and family -> how many revisions the fixture registers."""
    shape = schema.TASK_DEFINITION
    definitions = []
    revisions: dict[str, int] = {}
    for i, raw in enumerate(_list(rspec.get("ecs_task_definitions"), f"{rpath}.ecs_task_definitions")):
        p = f"{rpath}.ecs_task_definitions[{i}]"
        s = key_mapping(shape, raw, p)
        containers = [
            _container(craw, f"{p}.containers[{j}]") for j, craw in enumerate(_list(s["containers"], f"{p}.containers"))
        ]
        if not containers:
            raise FixtureError(f"{p}.containers: at least one container is required")
        _unique([c.name for c in containers], f"{p}.containers", "name")
        launch_types = shape.key("requires").choices
        requires = [_choice(r, f"{p}.requires", launch_types) for r in _list(s.get("requires"), f"{p}.requires")]
        family = key_str(shape, s, "family", p)
        revisions[family] = revisions.get(family, 0) + 1
        definitions.append(
            TaskDefinition(
                family=family,
                network_mode=key_choice(shape, s, "network_mode", p),
                pid_mode=key_choice(shape, s, "pid_mode", p),
                ipc_mode=key_choice(shape, s, "ipc_mode", p),
                requires=requires,
                containers=containers,
                api_fields=passed_through(shape, s),
            )
        )
    return definitions, revisions


def _group(shape: schema.Shape, spec: dict, path: str, security_groups: set[str]) -> str | None:
    group = key_str(shape, spec, "security_group", path)
    if group is not None and group not in security_groups:
        raise FixtureError(f"{path}.security_group: {group!r} is not a security group of this region's fixture")
    return group


def parse_clusters(
    rspec: dict,
    rpath: str,
    revisions: dict[str, int],
    target_groups: set[str] = frozenset(),
    security_groups: set[str] = frozenset(),
) -> list[EcsCluster]:
    """The clusters; their task definition references must be among revisions (parse_task_definitions),
    their services' target groups among target_groups."""

    def td_ref(shape: schema.Shape, spec: dict, path: str) -> str:
        ref = key_str(shape, spec, "task_definition", path)
        family, revision = ref.rsplit(":", 1)
        if int(revision) > revisions.get(family, 0):
            raise FixtureError(
                f"{path}.task_definition: {ref!r} is not a task definition revision this region's fixture registers"
            )
        return ref

    clusters = []
    for i, raw in enumerate(_list(rspec.get("ecs_clusters"), f"{rpath}.ecs_clusters")):
        p = f"{rpath}.ecs_clusters[{i}]"
        s = key_mapping(schema.ECS_CLUSTER, raw, p)
        services = []
        for j, sraw in enumerate(_list(s.get("services"), f"{p}.services")):
            sp = f"{p}.services[{j}]"
            shape = schema.ECS_SERVICE
            sv = key_mapping(shape, sraw, sp)
            balancers = []
            for k, braw in enumerate(_list(sv.get("load_balancers"), f"{sp}.load_balancers")):
                bp = f"{sp}.load_balancers[{k}]"
                bshape = schema.ECS_SERVICE_LOAD_BALANCER
                b = key_mapping(bshape, braw, bp)
                target = key_str(bshape, b, "target_group", bp)
                if target not in target_groups:
                    raise FixtureError(f"{bp}.target_group: {target!r} is not a target group of this region's fixture")
                balancers.append((target, key_str(bshape, b, "container", bp), key_int(bshape, b, "port", bp)))
            services.append(
                EcsService(
                    name=key_str(shape, sv, "name", sp),
                    task_definition=td_ref(shape, sv, sp),
                    launch_type=key_choice(shape, sv, "launch_type", sp),
                    platform_version=key_str(shape, sv, "platform_version", sp),
                    assign_public_ip=key_opt_bool(sv, "assign_public_ip", sp),
                    task_set_public_ip=key_opt_bool(sv, "task_set_public_ip", sp),
                    running=key_int(shape, sv, "running", sp),
                    load_balancers=balancers,
                    security_group=_group(shape, sv, sp, security_groups),
                    ipv6=key_bool(shape, sv, "ipv6", sp),
                )
            )
        _unique([sv.name for sv in services], f"{p}.services", "name")
        tasks = []
        for j, traw in enumerate(_list(s.get("tasks"), f"{p}.tasks")):
            tp = f"{p}.tasks[{j}]"
            t = key_mapping(schema.ECS_TASK, traw, tp)
            tasks.append((td_ref(schema.ECS_TASK, t, tp), key_int(schema.ECS_TASK, t, "count", tp)))
        clusters.append(
            EcsCluster(
                name=key_str(schema.ECS_CLUSTER, s, "name", p),
                container_insights=key_choice(schema.ECS_CLUSTER, s, "container_insights", p),
                services=services,
                tasks=tasks,
            )
        )
    _unique([c.name for c in clusters], f"{rpath}.ecs_clusters", "name")
    return clusters


# -- seeding --


def seed_task_definition(seeder: Seeder, region: str, td: TaskDefinition) -> None:
    ecs = seeder.client("ecs", region)
    label = f"{region}: task definition {td.family!r}"
    containers = []
    for c in td.containers:
        # moto's RunTask needs a memory figure on every container.
        # {account} and {region} in an image name the seeded account's own ECR.
        image = c.image.replace("{account}", seeder.account).replace("{region}", region)
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
            options.update(c.log_options)
            spec["logConfiguration"] = {"logDriver": c.log_driver, "options": options}
        if c.environment:
            spec["environment"] = [{"name": k, "value": v} for k, v in c.environment.items()]
        if c.secrets:
            spec["secrets"] = [{"name": k, "valueFrom": v} for k, v in c.secrets.items()]
        if c.ports:
            spec["portMappings"] = [{"containerPort": port, "protocol": "tcp"} for port in c.ports]
        spec.update(c.api_fields)
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
    kwargs.update(td.api_fields)
    with step(label):
        arn = ecs.register_task_definition(**kwargs)["taskDefinition"]["taskDefinitionArn"]
    # Never log environment values: fixtures hold fake secrets on purpose.
    log(f"{label}: {arn.rsplit('/', 1)[1]}, {len(td.containers)} container(s)")


def seed_cluster(seeder: Seeder, region: str, cluster: EcsCluster) -> None:
    ecs = seeder.client("ecs", region)
    label = f"{region}: ECS cluster {cluster.name!r}"
    with step(label):
        kwargs: dict[str, Any] = {"clusterName": cluster.name}
        if cluster.container_insights is not None:
            kwargs["settings"] = [{"name": "containerInsights", "value": cluster.container_insights}]
        ecs.create_cluster(**kwargs)
    vpc, subnets = seeder.default_vpc(region)
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
        if svc.assign_public_ip is not None or svc.load_balancers or svc.security_group:
            network = network or _default_network(seeder, region, vpc, subnets)
            own = network
            if svc.security_group:
                own = {**network, "securityGroups": [elbv2.security_group_id(seeder, region, vpc, svc.security_group)]}
            kwargs["networkConfiguration"] = {
                "awsvpcConfiguration": {**own, "assignPublicIp": "ENABLED" if svc.assign_public_ip else "DISABLED"}
            }
        if svc.load_balancers:
            kwargs["loadBalancers"] = [
                {"targetGroupArn": elbv2.target_group_arn(seeder, region, group), "containerName": container,
                 "containerPort": port}
                for group, container, port in svc.load_balancers
            ]
        if svc.task_set_public_ip is not None:
            kwargs["deploymentController"] = {"type": "EXTERNAL"}
        with step(slabel):
            ecs.create_service(**kwargs)
        if svc.task_set_public_ip is not None:
            network = network or _default_network(seeder, region, vpc, subnets)
            assign = "ENABLED" if svc.task_set_public_ip else "DISABLED"
            with step(f"{slabel}: task set"):
                ecs.create_task_set(
                    cluster=cluster.name,
                    service=svc.name,
                    taskDefinition=svc.task_definition,
                    networkConfiguration={"awsvpcConfiguration": {**network, "assignPublicIp": assign}},
                )
            log(f"{slabel}: a task set with assignPublicIp {assign}")
        behind = "".join(f", behind {group} ({container}:{port})" for group, container, port in svc.load_balancers)
        log(f"{slabel}: {svc.task_definition}, {svc.launch_type} {svc.platform_version or ''}".rstrip() + behind)
        if svc.running:
            # ECS starts a service's tasks itself, in group service:NAME; moto starts none.
            network = network or _default_network(seeder, region, vpc, subnets)
            configuration = kwargs.get("networkConfiguration") or {
                "awsvpcConfiguration": {**network, "assignPublicIp": "DISABLED"}
            }
            with step(f"{slabel}: run {svc.running} task(s)"):
                started = ecs.run_task(
                    cluster=cluster.name,
                    taskDefinition=svc.task_definition,
                    count=svc.running,
                    launchType="FARGATE",
                    group=f"service:{svc.name}",
                    startedBy=f"ecs-svc/{svc.name}",
                    networkConfiguration=configuration,
                )
            if svc.ipv6:
                edge.assign_ipv6(seeder, region, started)
            log(f"{slabel}: {svc.running} task(s) running" + (", with IPv6 addresses" if svc.ipv6 else ""))
    for td, count in cluster.tasks:
        tlabel = f"{label}: run {count} task(s) of {td}"
        network = network or _default_network(seeder, region, vpc, subnets)
        with step(tlabel):
            ecs.run_task(
                cluster=cluster.name,
                taskDefinition=td,
                count=count,
                launchType="FARGATE",
                networkConfiguration={"awsvpcConfiguration": {**network, "assignPublicIp": "DISABLED"}},
            )
        log(tlabel)


def _default_network(seeder: Seeder, region: str, vpc: str, subnets: list[str]) -> dict:
    with step(f"{region}: default security group"):
        group = seeder.default_security_group(region, vpc)
    # moto's CreateService requires securityGroups in an awsvpc configuration.
    return {"subnets": subnets[:1], "securityGroups": [group["GroupId"]]}
