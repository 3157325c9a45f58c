"""Peak memory of `bulkhead merge` and `bulkhead diff` over large reports.

    python3 bench/reports.py --binary target/release/bulkhead [--binary OTHER ...]
        [--findings 100000] [--shards 4] [--accounts 200] [--runs 3] [--json FILE]

Writes, into a temporary folder, the v1 JSON reports of a synthetic sharded
scan: `--shards` shard reports of `--accounts` accounts (each account in the
shard `bulkhead scan --shard` gives it) holding `--findings` findings in all,
shaped as a scan writes them (20 checks with compliance controls, tags, a
message of a line or two; a third FAIL). Then, with each binary, under
`/usr/bin/time -v`:

- `merge` of the shards, writing JSON only, then JSON and HTML (merge's
  default formats);
  the size of the merged HTML report (the page a browser opens) is printed;
- `diff` of two whole reports of the same accounts, the second with 1% of
  its FAILs passing, 1% of its PASSes failing and 1% of its resources
  replaced by new ones.

Prints a markdown table of the median peak RSS, wall time and CPU time
(user + sys) per command and binary. No emulator and no AWS: the reports are written by this script.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import bench

CHECKS = 20
REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]
RUN_ID = "bench-reports"
FINGERPRINT = "fnv1a64:00000000000000aa"


def fnv1a64(data: bytes) -> int:
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def shard_of(account: str, count: int) -> int:
    """As `bulkhead scan --shard` assigns accounts (src/shard.rs)."""
    return fnv1a64(account.encode()) % count


def check_id(n: int) -> str:
    return f"bench_check_{n:02d}"


def checks() -> list[dict]:
    return [
        {
            "id": check_id(n),
            "service": ["ec2", "ecr", "ecs", "iam"][n % 4],
            "title": f"Benchmark check {n}",
            "severity": ["low", "medium", "high", "critical"][n % 4],
            "resource_type": "AwsEc2SecurityGroup",
            "sarif_id": f"BH9{n:03d}",
            "description": "A check of the benchmark, with a description of a sentence or two. " * 2,
            "risk": "What could go wrong when this fails, in a sentence or two. " * 2,
            "shared_responsibility": "network",
            "references": ["https://docs.aws.amazon.com/"],
            "remediation": {"text": "Fix it.", "cli": "aws ec2 do-something", "terraform": 'resource "x" "y" {}'},
        }
        for n in range(CHECKS)
    ]


def frameworks() -> list[dict]:
    controls = [{"id": f"{n}.1", "title": f"Control {n}.1", "checks": [check_id(n)]} for n in range(CHECKS)]
    return [{"id": "bench-framework", "name": "Benchmark framework", "version": "1.0", "controls": controls}]


def finding(account: str, n: int, status: str, resource: str) -> dict:
    check = n % CHECKS
    region = REGIONS[n % len(REGIONS)]
    return {
        "check_id": check_id(check),
        "title": f"Benchmark check {check}",
        "severity": ["low", "medium", "high", "critical"][check % 4],
        "status": status,
        "muted": False,
        "mute_reason": None,
        "account_id": account,
        "region": region,
        "service": ["ec2", "ecr", "ecs", "iam"][check % 4],
        "resource_type": "AwsEc2SecurityGroup",
        "resource_id": resource,
        "resource_arn": f"arn:aws:ec2:{region}:{account}:security-group/{resource}",
        "message": f"Security group {resource} of account {account}: port 22 is open to 0.0.0.0/0 "
                   f"(rule {n}).\nSecond line of the message." if status == "FAIL" else
                   f"Security group {resource} of account {account}: no port is open to the internet.",
        "compliance": {"bench-framework": [f"{check}.1"]},
        "resource_name": f"bench-sg-{n:06d}",
        "resource_tags": {"Team": f"team-{n % 7}", "Environment": "production"},
        "resource_details": "A security group of the benchmark.",
        "failing_since": "2026-01-01T00:00:00Z" if status == "FAIL" else None,
    }


def account_findings(account: str, per_account: int, changed: bool) -> list[dict]:
    """One account's findings, by check then resource (a scan's order); with
    `changed`, the second scan's."""
    findings = []
    for n in range(per_account):
        status = "FAIL" if n % 3 == 0 else "PASS"
        resource = f"sg-{fnv1a64(f'{account}/{n}'.encode()):016x}"
        if changed and n % 100 == 1:
            resource = f"sg-new{n:010d}"  # replaced by a new resource
        if changed and n % 100 == 3:
            status = "PASS" if status == "FAIL" else "FAIL"
        findings.append(finding(account, n, status, resource))
    findings.sort(key=lambda item: item["check_id"])
    return findings


def report(accounts: list[str], per_account: int, shard: dict | None, changed: bool = False) -> dict:
    return {
        "schema_version": 1,
        "tool": {"name": "bulkhead", "version": "0.1.0"},
        "scan": {
            "started_at": "2026-01-02T00:00:00Z",
            "finished_at": "2026-01-02T00:10:00Z",
            "principal_arn": "arn:aws:sts::999999999999:assumed-role/audit/bench",
            "accounts": accounts,
            "regions": REGIONS,
            "checks": [check_id(n) for n in range(CHECKS)],
            "errors": [],
            "mutelist": None,
            "stats": {"calls": 0, "attempts": 0, "retries": 0, "throttles": 0, "critical_path_depth": 0,
                      "operations": []},
            "account_names": {account: f"bench-{account}" for account in accounts},
            "shard": shard,
        },
        "findings": [item for account in accounts for item in account_findings(account, per_account, changed)],
        "checks": checks(),
        "frameworks": frameworks(),
    }


def write_reports(folder: Path, findings: int, shards: int, accounts: int) -> tuple[list[Path], Path, Path]:
    listed = [f"{100_000_000_000 + n:012d}" for n in range(accounts)]
    per_account = findings // accounts
    paths = []
    for index in range(shards):
        owned = sorted(account for account in listed if shard_of(account, shards) == index)
        shard = {"index": index, "count": shards, "run_id": RUN_ID, "fingerprint": FINGERPRINT,
                 "accounts_listed": accounts}
        path = folder / f"shard-{index}.json"
        path.write_text(json.dumps(report(owned, per_account, shard), indent=2) + "\n")
        paths.append(path)
    base, new = folder / "base.json", folder / "new.json"
    base.write_text(json.dumps(report(sorted(listed), per_account, None), indent=2) + "\n")
    new.write_text(json.dumps(report(sorted(listed), per_account, None, changed=True), indent=2) + "\n")
    return paths, base, new


def timed(command: list[str]) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as time_file:
        run = subprocess.run(["/usr/bin/time", "-v", "-o", time_file.name, *command],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if run.returncode not in (0, 3, 4):
            raise RuntimeError(f"{command[:2]} exited {run.returncode}:\n{run.stderr.decode()[-3000:]}")
        return bench.parse_time(Path(time_file.name).read_text())


def measure(binary: Path, shards: list[Path], base: Path, new: Path, runs: int) -> dict:
    commands = {}
    with tempfile.TemporaryDirectory() as out:
        commands["merge, json"] = [str(binary), "merge", *map(str, shards), "--output-dir", out,
                                   "--output-formats", "json", "--quiet"]
        commands["merge, json and html"] = [str(binary), "merge", *map(str, shards), "--output-dir", out, "--quiet"]
        commands["diff, json"] = [str(binary), "diff", str(base), str(new), "--format", "json",
                                  "--output", f"{out}/diff.json"]
        results = {}
        for name, command in commands.items():
            measured = [timed(command) for _ in range(runs)]
            results[name] = {
                "runs": measured,
                "peak_rss_mb": statistics.median(run["peak_rss_mb"] for run in measured),
                "wall_s": statistics.median(run["wall_s"] for run in measured),
                "cpu_s": statistics.median(run["cpu_s"] for run in measured),
            }
        merged = json.loads((Path(out) / "bulkhead.json").read_text())
        page_mb = (Path(out) / "bulkhead.html").stat().st_size / 2**20
        changes = json.loads((Path(out) / "diff.json").read_text())
    results["merged findings"] = len(merged["findings"])
    results["html page mb"] = page_mb
    results["changes"] = {key: len(value) for key, value in changes.items() if isinstance(value, list)}
    return {"binary": str(binary), "results": results}


def table(measured: list[dict]) -> str:
    rows = ["| command | " + " | ".join(Path(m["binary"]).name for m in measured) + " |",
            "|---|" + "---:|" * len(measured)]
    for name in ["merge, json", "merge, json and html", "diff, json"]:
        cells = [f"{r['peak_rss_mb']:.1f} MB, {r['wall_s']:.2f} s, {r['cpu_s']:.2f} s"
                 for r in (m["results"][name] for m in measured)]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/reports.py", description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, action="append", required=True)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        shards, base, new = write_reports(Path(folder), args.findings, args.shards, args.accounts)
        sizes = {path.name: path.stat().st_size / 2**20 for path in [*shards, base, new]}
        measured = [measure(binary, shards, base, new, args.runs) for binary in args.binary]

    print(f"{args.findings} findings of {args.accounts} accounts in {args.shards} shards "
          f"({sum(size for name, size in sizes.items() if name.startswith('shard')):.0f} MB of shard reports, "
          f"{sizes['base.json']:.0f} MB per whole report); median of {args.runs} run(s): peak RSS, wall time, CPU time (user + sys)")
    print(table(measured))
    for m in measured:
        print(f"{m['binary']}: {m['results']['merged findings']} merged findings, "
              f"HTML page {m['results']['html page mb']:.1f} MB; diff: {m['results']['changes']}")
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"binary": [str(b) for b in args.binary],
                                                               "json": str(args.json)},
                                         "sizes_mb": sizes, "measured": measured}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
