"""What every service module seeds through: the log, SeedError, step and the Seeder's session."""

from __future__ import annotations

import sys
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .validate import FixtureError


def log(msg: str) -> None:
    print(f"seed: {msg}", file=sys.stderr, flush=True)


class SeedError(Exception):
    """Creating something in the emulator failed (exit status 1)."""


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


class Seeder:
    """One account at one endpoint: the session, its clients, the default VPCs."""

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
        # region -> default subnets a fixture network ACL took over (seeding/ec2.py)
        self.used_subnets: dict[str, set[str]] = {}

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

    def check_regions(self, names: list[str]) -> None:
        with step("ec2:DescribeRegions"):
            known = {
                r["RegionName"]
                for r in self.client("ec2", "us-east-1").describe_regions(AllRegions=True)["Regions"]
            }
        for name in names:
            if name not in known:
                raise FixtureError(f"regions.{name}: not a region the emulator knows")

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

    def default_security_group(self, region: str, vpc: str) -> dict:
        """The default VPC's own security group, as DescribeSecurityGroups gives it."""
        ec2 = self.client("ec2", region)
        return ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"][0]
