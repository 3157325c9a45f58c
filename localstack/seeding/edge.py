"""The network's edge and evidence: IPv6 in the default VPC, its flow log, and
load balancer attributes and web ACLs.

Fixture keys: seeding/schema.py (REGION's ``ipv6`` and ``vpc_flow_logs``,
LOAD_BALANCER's ``ip_address_type``, ``access_logs``,
``drop_invalid_header_fields`` and ``web_acl``, LISTENER's
``redirect_to_https`` and ``ssl_policy``, ECS_SERVICE's ``ipv6``).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .core import SeedError, Seeder, log, step


def seed_ipv6(seeder: Seeder, region: str, route: str) -> None:
    """An Amazon-provided IPv6 block on the default VPC, a /64 of it on each
    default subnet, and ``::/0`` in the main route table to an internet
    gateway (``route`` = ``internet``) or an egress-only one (``egress_only``)."""
    ec2 = seeder.client("ec2", region)
    vpc, subnets = seeder.default_vpc(region)
    label = f"{region}: IPv6 in {vpc}"
    with step(label):
        association = ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)
        block = ipaddress.ip_network(association["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"])
        for subnet, network in zip(subnets, block.subnets(new_prefix=64)):
            ec2.associate_subnet_cidr_block(SubnetId=subnet, Ipv6CidrBlock=str(network))
        table = ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"][0]["RouteTableId"]
        if route == "internet":
            gateway = _internet_gateway(seeder, region, vpc)
            ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", GatewayId=gateway)
        else:
            gateway = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"][
                "EgressOnlyInternetGatewayId"
            ]
            ec2.create_route(
                RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=gateway
            )
    log(f"{label}: {block}, ::/0 -> {gateway} in {table}")


def _internet_gateway(seeder: Seeder, region: str, vpc: str) -> str:
    ec2 = seeder.client("ec2", region)
    found = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])[
        "InternetGateways"
    ]
    if found:
        return found[0]["InternetGatewayId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    return gateway


def seed_flow_log(seeder: Seeder, region: str) -> None:
    """A flow log of all the default VPC's traffic, to an S3 bucket made for it
    (CreateFlowLogs refuses a bucket that does not exist)."""
    ec2 = seeder.client("ec2", region)
    s3 = seeder.client("s3", region)
    vpc, _ = seeder.default_vpc(region)
    bucket = f"flow-logs-{seeder.account}-{region}"
    label = f"{region}: flow log of {vpc} to s3://{bucket}"
    with step(label):
        where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **where)
        answer = ec2.create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}",
        )
        if answer.get("Unsuccessful"):
            raise SeedError(f"{label}: {answer['Unsuccessful']}")
    log(label)


def assign_ipv6(seeder: Seeder, region: str, started: dict) -> None:
    """An IPv6 address on the network interface of each task RunTask started."""
    ec2 = seeder.client("ec2", region)
    for task in started.get("tasks", []):
        for attachment in task.get("attachments", []):
            for detail in attachment.get("details", []):
                if detail.get("name") == "networkInterfaceId":
                    with step(f"{region}: IPv6 address for {detail['value']}"):
                        ec2.assign_ipv6_addresses(NetworkInterfaceId=detail["value"], Ipv6AddressCount=1)


def seed_balancer_extras(seeder: Seeder, region: str, arn: str, name: str, balancer: Any) -> list[str]:
    """The load balancer's attributes and web ACL as the fixture gives them; what was set, for the log."""
    elbv2 = seeder.client("elbv2", region)
    attributes = []
    if balancer.access_logs:
        attributes += [
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": balancer.access_logs},
        ]
    if balancer.drop_invalid_header_fields:
        attributes.append({"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"})
    said = []
    if attributes:
        with step(f"{region}: attributes of load balancer {name!r}"):
            elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
        said.append(", ".join(f"{item['Key']}={item['Value']}" for item in attributes))
    if balancer.web_acl:
        wafv2 = seeder.client("wafv2", region)
        with step(f"{region}: web ACL for load balancer {name!r}"):
            acl = wafv2.create_web_acl(
                Name=f"{name}-acl",
                Scope="REGIONAL",
                DefaultAction={"Allow": {}},
                Rules=[],
                VisibilityConfig={
                    "SampledRequestsEnabled": False,
                    "CloudWatchMetricsEnabled": False,
                    "MetricName": f"{name}-acl",
                },
            )["Summary"]["ARN"]
            wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=arn)
        said.append(f"web ACL {name}-acl")
    return said
