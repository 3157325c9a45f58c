"""Compare the findings of two bulkhead JSON reports of the same seeded account.

    python3 bench/compare_findings.py BEFORE.json AFTER.json [FIELD,...]

Findings are compared as multisets, with what the emulator makes up anew on
every seeding normalised (security group, NACL, VPC, subnet and ENI ids, KMS
key UUIDs, timestamps). FIELDs are left out of the comparison (for example
resource_arn,resource_name). Prints how many findings differ on each side and
a few of them, and whether the two lists are also in the same order; exits 1
when any differ (order alone does not fail).

bench/fleet.py imports compare() and report_apart_from_findings(). Reports
are read one finding at a time (_walk), so a fleet report of a
hundred thousand findings costs its text and a digest per finding, not a
Python object per field.
"""

import collections
import hashlib
import json
import re
import sys

# Fields of the report's scan block that differ between two scans of the same accounts.
TIMING_FIELDS = ("started_at", "finished_at", "stats")


def normalise(text: str) -> str:
    text = re.sub(r"\b(sg|acl|vpc|subnet|eni)-[0-9a-f]{8,}", r"\1-X", text)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "TIME", text)


_decoder = json.JSONDecoder()
_space = re.compile(r"\s*")


def _skip(text: str, at: int, expected: str = "") -> int:
    at = _space.match(text, at).end()
    if expected:
        if text[at:at + 1] != expected:
            raise ValueError(f"expected {expected!r} at offset {at}, found {text[at:at + 20]!r}")
        at = _space.match(text, at + 1).end()
    return at


def _walk(path: str, on_finding) -> dict:
    """Every top-level key of the report but "findings", whose items go to on_finding one by one."""
    with open(path, encoding="utf-8") as report:
        text = report.read()
    rest = {}
    at = _skip(text, 0, "{")
    while text[at] != "}":
        key, at = _decoder.raw_decode(text, at)
        at = _skip(text, at, ":")
        if key == "findings":
            at = _skip(text, at, "[")
            while text[at] != "]":
                finding, at = _decoder.raw_decode(text, at)
                on_finding(finding)
                at = _skip(text, at)
                if text[at] == ",":
                    at = _skip(text, at + 1)
            at += 1
        else:
            rest[key], at = _decoder.raw_decode(text, at)
        at = _skip(text, at)
        if text[at] == ",":
            at = _skip(text, at + 1)
    return rest


def report_apart_from_findings(path: str) -> tuple[dict, int]:
    """The report without its findings, and how many findings it has."""
    count = 0

    def take(finding: dict) -> None:
        nonlocal count
        count += 1

    return _walk(path, take), count


def _digests(path: str, ignore: list[str]) -> tuple[list[bytes], dict[bytes, str], dict]:
    """The normalised findings' digests in report order, their text, and the rest of the report."""
    order, texts = [], {}

    def take(finding: dict) -> None:
        kept = {key: value for key, value in finding.items() if key not in ignore}
        text = normalise(json.dumps(kept, sort_keys=True))
        digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
        order.append(digest)
        texts.setdefault(digest, text[:300])

    rest = _walk(path, take)
    return order, texts, rest


def compare(before_path: str, after_path: str, ignore: list[str] | None = None, examples: int = 3) -> dict:
    """Findings of two reports: counts, the multiset difference, same order, and whether the
    rest of the reports (apart from TIMING_FIELDS of their scan blocks) is equal."""
    ignore = ignore or []
    before_order, before_texts, before_rest = _digests(before_path, ignore)
    after_order, after_texts, after_rest = _digests(after_path, ignore)
    before, after = collections.Counter(before_order), collections.Counter(after_order)
    only_before, only_after = before - after, after - before
    for rest in (before_rest, after_rest):
        for field in TIMING_FIELDS:
            rest.get("scan", {}).pop(field, None)
    differing_keys = sorted(
        [key for key in set(before_rest) | set(after_rest) if key != "scan" and before_rest.get(key) != after_rest.get(key)]
        + [f"scan.{key}" for key in set(before_rest.get("scan", {})) | set(after_rest.get("scan", {}))
           if before_rest.get("scan", {}).get(key) != after_rest.get("scan", {}).get(key)]
    )
    return {
        "before": len(before_order),
        "after": len(after_order),
        "only_before": sum(only_before.values()),
        "only_after": sum(only_after.values()),
        "same_order": before_order == after_order,
        "identical": not only_before and not only_after,
        "rest_differs_in": differing_keys,
        "examples_only_before": [before_texts[d] for d in list(only_before)[:examples]],
        "examples_only_after": [after_texts[d] for d in list(only_after)[:examples]],
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    ignore = argv[2].split(",") if len(argv) == 3 else []
    result = compare(argv[0], argv[1], ignore)
    print(f"findings: {result['before']} before, {result['after']} after")
    print(f"differing: {result['only_before']} only before, {result['only_after']} only after")
    for label in ("before", "after"):
        for row in result[f"examples_only_{label}"]:
            print(f"  {label}: {row}")
    print(f"same order: {'yes' if result['same_order'] else 'no'}")
    return 0 if result["identical"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
