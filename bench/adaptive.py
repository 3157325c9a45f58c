"""Adaptive per-endpoint concurrency, measured against a test bed that adds
latency and throttles the way AWS does. Run it through bench/run --adaptive,
which builds the release binary and installs the emulator first.

One synthetic account (bench/synthetic.py, default scale 60 in 3 regions:
120 repositories and 60 services per region) is seeded into a fresh
emulator and scanned with the checks bulkhead shares with Prowler (the set
the last vs-Prowler run derived, read from docs/performance.md), each scan
under /usr/bin/time -v, one warm-up scan per point and --runs measured ones.
Every point is scanned two ways, in turns:

- "fixed 8": --max-concurrency-per-endpoint 8. With nothing throttled this
  is exactly the old fixed limit (an endpoint's limit starts at 8 and the
  ceiling keeps it there); under throttling it still halves.
- "adaptive": the default, each endpoint's limit free to grow up to
  --max-concurrency.

Points: --latencies (default 0, 100 and 300 ms) through
localstack/faultproxy.py --latency-ms, and --rates (default 5 and 20 calls a
second) on the busiest operations (ECR's per-repository GetRepositoryPolicy,
GetLifecyclePolicy and DescribeImages) with --rate-latency-ms (default 100)
of latency, every other operation at EC2's documented quota for describe
calls (a bucket of 100 refilled at 20 a second).

The floor of a scan is the largest of: the critical path x latency; for each
rate-limited (region, operation), its calls beyond the burst / the rate; and
all calls / the emulator's own throughput. That throughput is measured at
each point, in turns with its scans: each round also scans the emulator
directly (no proxy, the adaptive mode), and calls / the median wall of
those scans is the point's throughput. The emulator and the machine under
it do not keep one speed over a benchmark of several minutes (seen here:
the same scan at 0 ms taking 9 s and, half an hour later, 14 s), so a
throughput measured once, at the first point, would judge later points by
a different machine. Each point reports wall / floor, throttled attempts
against calls, and ERROR findings. Raw results go to
bench/results/adaptive-latest.json; the table replaces the part of
docs/performance.md between the adaptive markers unless --no-doc.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import (REGIONS, ROOT, Emulator, LOCALSTACK, PYTHON, fmt_spread, machine, scan, seed, write_doc)

BEGIN, END = "<!-- adaptive:begin -->", "<!-- adaptive:end -->"
BUSIEST = ["ecr:GetRepositoryPolicy", "ecr:GetLifecyclePolicy", "ecr:DescribeImages"]
# EC2's documented token bucket for non-mutating (Describe*) actions.
DEFAULT_QUOTA = (20.0, 100.0)
MODES = {"fixed 8": ["--max-concurrency-per-endpoint", "8"], "adaptive": []}


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def shared_checks() -> list[str]:
    """The checks both tools implement, as the last vs-Prowler run in docs/performance.md listed them."""
    doc = (ROOT / "docs" / "performance.md").read_text()
    section = doc.split("<!-- vs-prowler:begin -->", 1)[1].split("<!-- vs-prowler:end -->", 1)[0]
    listed = section.split("The checks: ", 1)[1]
    return re.findall(r"`([a-z0-9_]+)`", listed.split("\n", 1)[0])


class Proxy:
    """localstack/faultproxy.py with latency and rate limits, stopped with stop()."""

    def __init__(self, upstream: str, latency_ms: int, rate: float | None) -> None:
        command = [PYTHON, LOCALSTACK / "faultproxy.py", "--upstream", upstream, "--seed", "1",
                   "--latency-ms", str(latency_ms), "--jitter-ms", "0", "--lifetime", "86400"]
        if rate:
            for operation in BUSIEST:
                command += ["--rate-limit", f"{operation}={rate:g}/{rate:g}"]
            command += ["--rate-limit", f"*={DEFAULT_QUOTA[0]:g}/{DEFAULT_QUOTA[1]:g}"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.endpoint = self.process.stdout.readline().strip()
        if not self.endpoint.startswith("http"):
            raise RuntimeError("the proxy did not start")

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def measured_scan(binary: Path, endpoint: str, creds: dict, regions: list[str], work: Path, extra: list[str]) -> dict:
    # Exit 4 (incomplete) is a result here: a scan that ran out of retries.
    result = scan(binary, endpoint, creds, regions, work, extra, exits=(0, 3, 4))
    report = json.loads((work / "bench.json").read_text())
    per_region = Counter()
    for op in report["scan"]["stats"]["operations"]:
        per_region[(op["region"], f"{op['service']}:{op['operation']}")] += op["calls"]
    result["error_findings"] = sum(1 for finding in report["findings"] if finding["status"] == "ERROR")
    result["calls_by_region_operation"] = {f"{op}@{region}": calls for (region, op), calls in sorted(per_region.items())}
    result["load"] = os.getloadavg()[0]
    return result


def rate_floor(run: dict, rate: float) -> float:
    """The longest any rate-limited bucket needs for its calls beyond its burst."""
    floor = 0.0
    for key, calls in run["calls_by_region_operation"].items():
        operation = key.split("@", 1)[0]
        bucket_rate, burst = (rate, rate) if operation in BUSIEST else DEFAULT_QUOTA
        floor = max(floor, max(0.0, calls - burst) / bucket_rate)
    return floor


def summarize(runs: list[dict]) -> dict:
    def spread(key: str) -> dict:
        values = [run[key] for run in runs]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    return {
        "runs": len(runs), "wall_s": spread("wall_s"), "cpu_s": spread("cpu_s"), "peak_rss_mb": spread("peak_rss_mb"),
        "calls": sorted({run["calls"] for run in runs}), "throttles": spread("throttles"),
        "errors": max(run["errors"] for run in runs), "error_findings": max(run["error_findings"] for run in runs),
        "findings": sorted({run["findings"] for run in runs}),
        "critical_path_depth": max(run["critical_path_depth"] for run in runs),
        "load": spread("load"),
    }


def measure_point(args, endpoint: str, direct: str, creds: dict, regions: list[str], checks: list[str],
                  work: Path) -> tuple[dict, dict]:
    """Both modes in turns: a warm-up scan each, then --runs rounds of one scan each. Each round
    also scans the emulator directly (`direct`), for the emulator's throughput meanwhile, unless
    `endpoint` is the emulator itself (then the adaptive scans are those). The modes, and the
    direct scans' summary."""
    extra = ["--checks", ",".join(checks)]
    runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
    reference: list[dict] = []
    for round_number in range(args.runs + 1):
        for mode, flags in MODES.items():
            run = measured_scan(args.binary, endpoint, creds, regions, work, extra + flags)
            if round_number:
                runs[mode].append(run)
        if endpoint != direct:
            run = measured_scan(args.binary, direct, creds, regions, work, extra)
            if round_number:
                reference.append(run)
    modes = {mode: {"summary": summarize(mode_runs), "runs": mode_runs} for mode, mode_runs in runs.items()}
    return modes, summarize(reference or runs["adaptive"])


def floors(results: list[dict]) -> None:
    """Adds each point's emulator throughput, and each mode's floor and wall / floor."""
    for point in results:
        emulator = point["emulator"]
        point["throughput"] = max(emulator["calls"]) / emulator["wall_s"]["median"]
        for mode in point["modes"].values():
            summary = mode["summary"]
            terms = {"path": summary["critical_path_depth"] * point["latency_ms"] / 1000,
                     "emulator": max(summary["calls"]) / point["throughput"]}
            if point["rate"]:
                terms["rate"] = max(rate_floor(run, point["rate"]) for run in mode["runs"])
            summary["floor_terms"] = terms
            summary["floor_s"] = max(terms.values())
            summary["wall_over_floor"] = summary["wall_s"]["median"] / summary["floor_s"] if summary["floor_s"] else None


def table(results: list[dict], info: dict, command: str) -> str:
    lines = [
        BEGIN, "",
        f"Measured {info['date']} on {info['machine']['cpu']}, {info['machine']['cores']} cores, "
        f"{info['machine']['memory_gib']} GiB, {info['machine']['os']}; moto {info['machine']['moto']}, "
        f"Python {info['machine']['python']}; bulkhead at {info['machine']['commit']}, **{info['build']} build**.", "",
        f"Command: `{command}`. The synthetic account at scale {info['scale']} in {info['regions']} regions, "
        f"{len(info['checks'])} checks (those shared with Prowler); per point one warm-up round, then "
        f"{info['runs']} measured, each round a scan per mode; median (min–max). Throttles: attempts the proxy "
        "throttled, from the report's stats. Load: the 1-minute load average as each scan ended. "
        "Emulator: the same scan straight to the emulator (no proxy), in turns with the point's scans; "
        "its calls a second are the point's emulator throughput.", "",
        "| test bed | mode | wall s | emulator s (calls/s) | floor s (binding term) | wall ÷ floor | calls | "
        "throttled | ERROR findings | peak RSS MB | load |",
        "|---|---|---|---|---|---:|---:|---|---:|---|---|",
    ]
    for point in results:
        bed = f"{point['latency_ms']} ms" + (f", {point['rate']:g}/s on the busiest" if point["rate"] else "")
        for mode, data in point["modes"].items():
            s = data["summary"]
            binding = max(s["floor_terms"], key=s["floor_terms"].get)
            ratio = f"{s['wall_over_floor']:.2f}" if s["wall_over_floor"] else "–"
            calls = max(s["calls"])
            throttled = s["throttles"]["median"]
            lines.append(
                f"| {bed} | {mode} | {fmt_spread(s['wall_s'])} | "
                f"{fmt_spread(point['emulator']['wall_s'])} ({point['throughput']:.0f}) | "
                f"{s['floor_s']:.1f} ({binding}) | {ratio} | "
                f"{calls} | {throttled:.0f} ({throttled / calls * 100:.1f}%) | {s['error_findings']} | "
                f"{fmt_spread(s['peak_rss_mb'])} | {fmt_spread(s['load'])} |"
            )
    lines += ["", END]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="adaptive per-endpoint concurrency (run it through bench/run --adaptive)")
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--scale", type=int, default=60)
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latencies", default="0,100,300", help="ms, comma-separated")
    parser.add_argument("--rates", default="5,20", help="calls a second on the busiest operations; '' for none")
    parser.add_argument("--rate-latency-ms", type=int, default=100)
    parser.add_argument("--build", choices=("release", "release-no-lto", "debug"), default="release",
                        help="what --binary is, for the table (bench/run builds release)")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args(argv)
    command = " ".join(["bench/run --adaptive", *[arg for arg in argv if arg not in ("--binary", str(args.binary))]])
    checks = shared_checks()
    regions = REGIONS[: args.regions]
    beds = [(int(latency), None) for latency in args.latencies.split(",") if latency]
    beds += [(args.rate_latency_ms, float(rate)) for rate in args.rates.split(",") if rate]

    results = []
    work = Path(tempfile.mkdtemp(prefix="bulkhead-adaptive-"))
    emulator = Emulator()
    try:
        creds = seed(emulator.endpoint, args.scale, regions, account=f"2200000{args.scale:05d}")
        for latency, rate in beds:
            proxy = Proxy(emulator.endpoint, latency, rate) if latency or rate else None
            try:
                modes, direct = measure_point(args, proxy.endpoint if proxy else emulator.endpoint,
                                              emulator.endpoint, creds, regions, checks, work)
            finally:
                if proxy:
                    proxy.stop()
            results.append({"latency_ms": latency, "rate": rate, "modes": modes, "emulator": direct})
            for mode, data in modes.items():
                s = data["summary"]
                log(f"{latency} ms, rate {rate}: {mode}: wall {fmt_spread(s['wall_s'], ' s')}, calls {s['calls']}, "
                    f"throttles {s['throttles']['median']}, ERROR findings {s['error_findings']}, "
                    f"load {fmt_spread(s['load'])}")
    finally:
        emulator.stop()
    floors(results)
    info = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "runs": args.runs, "scale": args.scale,
            "regions": args.regions, "checks": checks, "build": args.build}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "adaptive-latest.json").write_text(json.dumps(
        {"info": info, "command": command, "results": results}, indent=1))
    section = table(results, info, command)
    print(section)
    if not args.no_doc:
        write_doc(section, BEGIN, END)
        log("wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
