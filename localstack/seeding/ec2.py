"""EC2: security groups, network ACLs and the default security group, in the default VPC.

Fixture keys: seeding/schema.py (SECURITY_GROUP, SG_RULE, NETWORK_ACL,
NACL_ENTRY, and REGION's restrict_default_security_group).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from . import schema
from .core import SeedError, Seeder, log, step
from .validate import (
    FixtureError,
    _list,
    _str,
    _tags,
    _unique,
    key_bool,
    key_int,
    key_mapping,
    key_str,
)

SG_PROTOCOL_NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6", -1: "-1"}


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


# -- parsing --


def _protocol(value: Any, path: str) -> int:
    if isinstance(value, str) and value.strip().lower() in schema.PROTOCOLS:
        return schema.PROTOCOLS[value.strip().lower()]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and -1 <= value <= 255:
        return value
    raise FixtureError(f"{path}: unknown protocol {value!r} ({', '.join(schema.PROTOCOLS)} or 0..255)")


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
    """A security group rule (schema.SG_RULE) or, with nacl, a network ACL entry (schema.NACL_ENTRY)."""
    shape = schema.NACL_ENTRY if nacl else schema.SG_RULE
    spec = key_mapping(shape, raw, path)
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
        from_port = key_int(shape, spec, "from_port", path)
        to_port = key_int(shape, spec, "to_port", path)
        if from_port > to_port:
            raise FixtureError(f"{path}: from_port {from_port} > to_port {to_port}")
    if has_icmp:
        icmp_type = key_int(shape, spec, "icmp_type", path)
        icmp_code = key_int(shape, spec, "icmp_code", path)
    cidr = _cidr(spec["cidr"], f"{path}.cidr", 4) if "cidr" in spec else None
    ipv6 = _cidr(spec["ipv6_cidr"], f"{path}.ipv6_cidr", 6) if "ipv6_cidr" in spec else None
    if nacl and (cidr is None) == (ipv6 is None):
        raise FixtureError(f"{path}: give exactly one of cidr / ipv6_cidr")
    if not nacl and cidr is None and ipv6 is None:
        raise FixtureError(f"{path}: give cidr and/or ipv6_cidr")
    rule = Rule(proto, from_port, to_port, icmp_type, icmp_code, cidr, ipv6)
    if nacl:
        rule.rule = key_int(shape, spec, "rule", path)
        rule.action = spec["action"]
        actions = shape.key("action").choices
        if rule.action not in actions:
            raise FixtureError(f"{path}.action: expected {' or '.join(actions)}, got {rule.action!r}")
        rule.egress = key_bool(shape, spec, "egress", path)
    else:
        rule.description = key_str(shape, spec, "description", path)
    return rule


def parse_restrict_default_security_group(rspec: dict, rpath: str) -> bool:
    return key_bool(schema.REGION, rspec, "restrict_default_security_group", rpath)


def parse_security_groups(rspec: dict, rpath: str) -> list[SecurityGroup]:
    shape = schema.SECURITY_GROUP
    groups = []
    for i, raw in enumerate(_list(rspec.get("security_groups"), f"{rpath}.security_groups")):
        p = f"{rpath}.security_groups[{i}]"
        s = key_mapping(shape, raw, p)
        name = key_str(shape, s, "name", p)
        description = key_str(shape, s, "description", p)
        groups.append(
            SecurityGroup(
                name=name,
                description=description if description is not None else f"bulkhead fixture: {name}",
                tags=_tags(s.get("tags"), f"{p}.tags"),
                ingress=[
                    _rule(r, f"{p}.ingress[{j}]", nacl=False)
                    for j, r in enumerate(_list(s.get("ingress"), f"{p}.ingress"))
                ],
                egress=[
                    _rule(r, f"{p}.egress[{j}]", nacl=False)
                    for j, r in enumerate(_list(s.get("egress"), f"{p}.egress"))
                ],
                attach=key_bool(shape, s, "attach", p),
            )
        )
    _unique([g.name for g in groups], f"{rpath}.security_groups", "name")
    if "default" in [g.name for g in groups]:
        raise FixtureError(f"{rpath}.security_groups: 'default' is the VPC's own group")
    return groups


def parse_network_acls(rspec: dict, rpath: str) -> list[NetworkAcl]:
    shape = schema.NETWORK_ACL
    acls = []
    for i, raw in enumerate(_list(rspec.get("network_acls"), f"{rpath}.network_acls")):
        p = f"{rpath}.network_acls[{i}]"
        s = key_mapping(shape, raw, p)
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
        acls.append(
            NetworkAcl(
                name=key_str(shape, s, "name", p),
                tags=tags,
                associate=key_bool(shape, s, "associate", p),
                entries=entries,
            )
        )
    _unique([a.name for a in acls], f"{rpath}.network_acls", "name")
    return acls


# -- seeding --


def _tag_spec(resource: str, tags: dict[str, str]) -> list[dict]:
    if not tags:
        return []
    return [{"ResourceType": resource, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


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


def seed_security_group(seeder: Seeder, region: str, sg: SecurityGroup) -> None:
    ec2 = seeder.client("ec2", region)
    vpc, subnets = seeder.default_vpc(region)
    label = f"{region}: security group {sg.name!r}"
    with step(label):
        gid = ec2.create_security_group(
            GroupName=sg.name,
            Description=sg.description,
            VpcId=vpc,
            TagSpecifications=_tag_spec("security-group", sg.tags),
        )["GroupId"]
        if sg.ingress:
            ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[_permission(r) for r in sg.ingress])
        if sg.egress:
            ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[_permission(r) for r in sg.egress])
        eni = ""
        if sg.attach:
            eni = ec2.create_network_interface(
                SubnetId=subnets[0],
                Groups=[gid],
                Description=f"bulkhead fixture: carries {sg.name}",
            )["NetworkInterface"]["NetworkInterfaceId"]
            eni = f", attached via {eni}"
    log(f"{label} {gid}: {len(sg.ingress)} ingress, {len(sg.egress)} egress rules{eni}")


def seed_restrict_default_security_group(seeder: Seeder, region: str) -> None:
    ec2 = seeder.client("ec2", region)
    vpc, _ = seeder.default_vpc(region)
    label = f"{region}: default security group of {vpc}"
    with step(label):
        group = seeder.default_security_group(region, vpc)
        if group["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        if group["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    log(f"{label} {group['GroupId']}: every rule revoked")


def seed_network_acl(seeder: Seeder, region: str, acl: NetworkAcl) -> None:
    ec2 = seeder.client("ec2", region)
    vpc, subnets = seeder.default_vpc(region)
    label = f"{region}: network ACL {acl.name!r}"
    with step(label):
        acl_id = ec2.create_network_acl(
            VpcId=vpc,
            TagSpecifications=_tag_spec("network-acl", {"Name": acl.name, **acl.tags}),
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
            used = seeder.used_subnets.setdefault(region, set())
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
