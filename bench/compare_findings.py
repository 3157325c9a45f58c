"""Compare the findings of two bulkhead JSON reports of the same seeded account.

    python3 bench/compare_findings.py BEFORE.json AFTER.json [FIELD,...]

Findings are compared as multisets, with what the emulator makes up anew on
every seeding normalised (security group, NACL, VPC, subnet and ENI ids, KMS
key UUIDs, timestamps). FIELDs are left out of the comparison (for example
resource_arn,resource_name). Prints how many findings differ on each side and
a few of them; exits 1 when any differ.
"""

import collections
import json
import re
import sys


def normalise(text: str) -> str:
    text = re.sub(r"\b(sg|acl|vpc|subnet|eni)-[0-9a-f]{8,}", r"\1-X", text)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "TIME", text)


def findings(path: str, ignore: list[str]) -> collections.Counter:
    with open(path) as report:
        found = json.load(report)["findings"]
    counted = collections.Counter()
    for finding in found:
        kept = {key: value for key, value in finding.items() if key not in ignore}
        counted[normalise(json.dumps(kept, sort_keys=True))] += 1
    return counted


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    ignore = argv[2].split(",") if len(argv) == 3 else []
    before, after = findings(argv[0], ignore), findings(argv[1], ignore)
    only_before, only_after = before - after, after - before
    print(f"findings: {sum(before.values())} before, {sum(after.values())} after")
    print(f"differing: {sum(only_before.values())} only before, {sum(only_after.values())} only after")
    for label, rows in (("before", only_before), ("after", only_after)):
        for row in list(rows)[:3]:
            print(f"  {label}: {row[:300]}")
    return 1 if only_before or only_after else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
