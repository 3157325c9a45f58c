"""Elastic Load Balancing v2: target groups, load balancers and their listeners.

Fixture keys: seeding/schema.py (TARGET_GROUP, LOAD_BALANCER, LISTENER).
ECS services name the target groups (seeding/ecs.py); target_group_arn()
resolves those names once the region is seeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import edge, schema
from .core import SeedError, Seeder, log, step
from .validate import FixtureError, _list, _str, _unique, key_bool, key_choice, key_int, key_mapping, key_str


@dataclass
class TargetGroup:
    name: str
    port: int
    protocol: str
    target_type: str


@dataclass
class Listener:
    port: int
    protocol: str
    target_group: str | None
    redirect_to_https: bool = False
    ssl_policy: str | None = None


@dataclass
class LoadBalancer:
    name: str
    scheme: str
    kind: str
    security_groups: list[str]  # fixture names; "default": the default VPC's own group
    listeners: list[Listener] = field(default_factory=list)
    ip_address_type: str = "ipv4"
    access_logs: str | None = None
    drop_invalid_header_fields: bool = False
    web_acl: bool = False


# -- parsing --


def parse_target_groups(rspec: dict, rpath: str) -> list[TargetGroup]:
    shape = schema.TARGET_GROUP
    groups = []
    for i, raw in enumerate(_list(rspec.get("target_groups"), f"{rpath}.target_groups")):
        p = f"{rpath}.target_groups[{i}]"
        s = key_mapping(shape, raw, p)
        groups.append(
            TargetGroup(
                name=key_str(shape, s, "name", p),
                port=key_int(shape, s, "port", p),
                protocol=key_choice(shape, s, "protocol", p),
                target_type=key_choice(shape, s, "target_type", p),
            )
        )
    _unique([g.name for g in groups], f"{rpath}.target_groups", "name")
    return groups


def parse_load_balancers(
    rspec: dict, rpath: str, target_groups: set[str], security_groups: set[str]
) -> list[LoadBalancer]:
    """The load balancers; their listeners' target groups and their security groups must be the region's."""
    shape = schema.LOAD_BALANCER
    balancers = []
    for i, raw in enumerate(_list(rspec.get("load_balancers"), f"{rpath}.load_balancers")):
        p = f"{rpath}.load_balancers[{i}]"
        s = key_mapping(shape, raw, p)
        listed = _list(s.get("security_groups"), f"{p}.security_groups")
        groups = [_str(g, f"{p}.security_groups[{n}]") for n, g in enumerate(listed)]
        for n, group in enumerate(groups):
            if group != "default" and group not in security_groups:
                raise FixtureError(
                    f"{p}.security_groups[{n}]: {group!r} is not a security group of this region's fixture"
                )
        listeners = []
        for j, lraw in enumerate(_list(s.get("listeners"), f"{p}.listeners")):
            lp = f"{p}.listeners[{j}]"
            ls = key_mapping(schema.LISTENER, lraw, lp)
            target = key_str(schema.LISTENER, ls, "target_group", lp)
            redirect = key_bool(schema.LISTENER, ls, "redirect_to_https", lp)
            if target is None and not redirect:
                raise FixtureError(f"{lp}: a target_group, or redirect_to_https: true")
            if target is not None and target not in target_groups:
                raise FixtureError(f"{lp}.target_group: {target!r} is not a target group of this region's fixture")
            listeners.append(
                Listener(
                    port=key_int(schema.LISTENER, ls, "port", lp),
                    protocol=key_choice(schema.LISTENER, ls, "protocol", lp),
                    target_group=target,
                    redirect_to_https=redirect,
                    ssl_policy=key_str(schema.LISTENER, ls, "ssl_policy", lp),
                )
            )
        _unique([str(listener.port) for listener in listeners], f"{p}.listeners", "port")
        balancers.append(
            LoadBalancer(
                name=key_str(shape, s, "name", p),
                scheme=key_choice(shape, s, "scheme", p),
                kind=key_choice(shape, s, "type", p),
                security_groups=groups or ["default"],
                listeners=listeners,
                ip_address_type=key_choice(shape, s, "ip_address_type", p),
                access_logs=key_str(shape, s, "access_logs", p),
                drop_invalid_header_fields=key_bool(shape, s, "drop_invalid_header_fields", p),
                web_acl=key_bool(shape, s, "web_acl", p),
            )
        )
    _unique([b.name for b in balancers], f"{rpath}.load_balancers", "name")
    return balancers


# -- seeding --


def seed_target_group(seeder: Seeder, region: str, group: TargetGroup) -> None:
    elbv2 = seeder.client("elbv2", region)
    vpc, _ = seeder.default_vpc(region)
    label = f"{region}: target group {group.name!r}"
    with step(label):
        elbv2.create_target_group(
            Name=group.name, Protocol=group.protocol, Port=group.port, VpcId=vpc, TargetType=group.target_type
        )
    log(f"{label}: {group.protocol} {group.port}, target type {group.target_type}")


def target_group_arn(seeder: Seeder, region: str, name: str) -> str:
    elbv2 = seeder.client("elbv2", region)
    with step(f"{region}: find target group {name!r}"):
        return elbv2.describe_target_groups(Names=[name])["TargetGroups"][0]["TargetGroupArn"]


def security_group_id(seeder: Seeder, region: str, vpc: str, name: str) -> str:
    ec2 = seeder.client("ec2", region)
    found = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": [name]}]
    )["SecurityGroups"]
    if not found:
        raise SeedError(f"{region}: no security group {name!r} in {vpc}")
    return found[0]["GroupId"]


def seed_load_balancer(seeder: Seeder, region: str, balancer: LoadBalancer) -> None:
    elbv2 = seeder.client("elbv2", region)
    vpc, subnets = seeder.default_vpc(region)
    label = f"{region}: load balancer {balancer.name!r}"
    with step(label):
        groups = [security_group_id(seeder, region, vpc, name) for name in balancer.security_groups]
        kwargs: dict[str, Any] = {
            "Name": balancer.name,
            "Subnets": subnets[:2],
            "Scheme": balancer.scheme,
            "Type": balancer.kind,
        }
        if balancer.kind == "application":
            kwargs["SecurityGroups"] = groups
        if balancer.ip_address_type != "ipv4":
            kwargs["IpAddressType"] = balancer.ip_address_type
        arn = elbv2.create_load_balancer(**kwargs)["LoadBalancers"][0]["LoadBalancerArn"]
        for listener in balancer.listeners:
            if listener.redirect_to_https:
                action = {
                    "Type": "redirect",
                    "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
                }
            else:
                action = {"Type": "forward", "TargetGroupArn": target_group_arn(seeder, region, listener.target_group)}
            extra = {"SslPolicy": listener.ssl_policy} if listener.ssl_policy else {}
            elbv2.create_listener(
                LoadBalancerArn=arn, Protocol=listener.protocol, Port=listener.port, DefaultActions=[action], **extra
            )
    extras = edge.seed_balancer_extras(seeder, region, arn, balancer.name, balancer)
    listening = ", ".join(
        f"{item.protocol} {item.port} -> {'HTTPS' if item.redirect_to_https else item.target_group}"
        for item in balancer.listeners
    )
    groups = ", ".join(balancer.security_groups)
    said = "".join(f"; {extra}" for extra in extras)
    log(f"{label}: {balancer.scheme} {balancer.kind}, groups {groups}; {listening or 'no listeners'}{said}")
