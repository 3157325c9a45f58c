"""CloudTrail: trails with their S3 bucket, event selector, KMS key and CloudWatch Logs group.

Fixture keys: seeding/schema.py (TRAIL).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from . import schema
from .core import Seeder, log, step
from .validate import _list, _unique, key_bool, key_choice, key_mapping, key_str


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


# -- parsing --


def parse_trails(rspec: dict, rpath: str) -> list[Trail]:
    shape = schema.TRAIL
    trails = []
    for i, raw in enumerate(_list(rspec.get("trails"), f"{rpath}.trails")):
        p = f"{rpath}.trails[{i}]"
        s = key_mapping(shape, raw, p)
        trails.append(
            Trail(
                name=key_str(shape, s, "name", p),
                multi_region=key_bool(shape, s, "multi_region", p),
                logging=key_bool(shape, s, "logging", p),
                management_events=key_bool(shape, s, "management_events", p),
                s3_bucket=key_str(shape, s, "s3_bucket", p),
                read_write=key_choice(shape, s, "read_write", p),
                log_file_validation=key_bool(shape, s, "log_file_validation", p),
                kms=key_bool(shape, s, "kms", p),
                cloudwatch_logs=key_bool(shape, s, "cloudwatch_logs", p),
            )
        )
    _unique([t.name for t in trails], f"{rpath}.trails", "name")
    return trails


# -- seeding --


def _bucket_name(seeder: Seeder, region: str, trail: str) -> str:
    name = re.sub(r"[^a-z0-9.-]+", "-", f"{trail}-{seeder.account}-{region}".lower()).strip("-.")
    if len(name) > 63:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = name[:54].rstrip("-.") + "-" + digest
    return name


def seed_trail(seeder: Seeder, region: str, trail: Trail) -> None:
    s3 = seeder.client("s3", region)
    ct = seeder.client("cloudtrail", region)
    bucket = trail.s3_bucket or _bucket_name(seeder, region, trail.name)
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
                            "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{seeder.account}/*",
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
            create_trail["KmsKeyId"] = seeder.client("kms", region).create_key(
                Description=f"bulkhead fixture: logs of trail {trail.name}"
            )["KeyMetadata"]["Arn"]
    if trail.cloudwatch_logs:
        group = f"cloudtrail/{trail.name}"
        with step(f"{label}: CloudWatch Logs group {group!r}"):
            seeder.client("logs", region).create_log_group(logGroupName=group)
        create_trail["CloudWatchLogsLogGroupArn"] = f"arn:aws:logs:{region}:{seeder.account}:log-group:{group}:*"
        create_trail["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{seeder.account}:role/cloudtrail-to-cloudwatch"
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
