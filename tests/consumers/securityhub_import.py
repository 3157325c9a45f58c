"""Imports a bulkhead `.asff.json` into Security Hub and reads it back, as a
user would after a scan (docs/securityhub.md), with boto3 against the
emulator; bulkhead itself never writes to AWS.

    python securityhub_import.py --endpoint URL REPORT.asff.json

Credentials come from the environment (the scanned account's). Findings are
imported with BatchImportFindings in batches of at most 100 (the API's
limit), grouped by the region of their ProductArn, then read back with
GetFindings (100 a page). Prints one JSON line:
{"imported": N, "failed": [...], "batches": N, "read_back": N, "findings": [{Id, RecordState, ...}]}
and exits 1 when an import failed.
"""

import argparse
import json
import sys
from collections import defaultdict

import boto3

BATCH = 100


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("asff")
    args = parser.parse_args()
    with open(args.asff, encoding="utf-8") as file:
        findings = json.load(file)

    # A custom integration's findings go to the hub of the region in their ProductArn.
    by_region = defaultdict(list)
    for finding in findings:
        by_region[finding["ProductArn"].split(":")[3]].append(finding)

    imported, failed, batches, read_back = 0, [], 0, []
    for region, regional in sorted(by_region.items()):
        hub = boto3.client("securityhub", region_name=region, endpoint_url=args.endpoint)
        hub.enable_security_hub(EnableDefaultStandards=False)
        for start in range(0, len(regional), BATCH):
            answer = hub.batch_import_findings(Findings=regional[start : start + BATCH])
            batches += 1
            imported += answer["SuccessCount"]
            failed += answer["FailedFindings"]
        for page in hub.get_paginator("get_findings").paginate(PaginationConfig={"PageSize": BATCH}):
            read_back += page["Findings"]

    keep = ("Id", "GeneratorId", "AwsAccountId", "AwsAccountName", "RecordState", "Workflow", "Compliance",
            "Severity", "Resources", "Types")
    print(json.dumps({
        "imported": imported,
        "failed": failed[:20],
        "batches": batches,
        "read_back": len(read_back),
        "findings": [{key: finding.get(key) for key in keep} for finding in read_back],
    }))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
