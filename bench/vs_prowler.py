"""bulkhead against Prowler on the same seeded emulator: `bench/run --vs-prowler`.

bench/run installs Prowler first (bench/install-prowler: pinned by
bench/prowler-requirements.txt, in the git-ignored bench/.prowler-venv).
For each scale: start a fresh emulator, seed the synthetic account
(bench/synthetic.py) once in the largest region count asked for, then for
each region count and each latency (0 ms, and --latency-ms through
localstack/faultproxy.py) run the two tools alternately under
/usr/bin/time -v: a warm-up round (Prowler, then bulkhead), then --runs
measured rounds, each Prowler then bulkhead, so a drift of the machine or
the emulator falls on both alike.

Both tools run only the checks both implement, derived at run time: the ids
of `bulkhead checks --format json` (a bulkhead check that has a Prowler
equivalent carries Prowler's check id) intersected with those of
`prowler aws --list-checks-json`. Both scan the same regions with the
seeder's scan credentials, and Prowler with --scan-unused-services, since
bulkhead judges every resource, used or not; Prowler reaches the emulator through
AWS_ENDPOINT_URL, which boto3 and Prowler's STS client honour. Prowler's
reports and logs go to a temporary folder.

Per point and tool: median and range of wall time, user+sys CPU and peak RSS,
findings (PASS and FAIL alike: the OCSF array's length for Prowler, the
report's findings for bulkhead) and errors (Prowler's ERROR and CRITICAL log
records; bulkhead's report errors). Raw results go to
bench/results/vs-prowler-latest.json; the side-by-side table replaces the
part of docs/performance.md between the vs-prowler markers.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import (REGIONS, ROOT, Emulator, LatencyProxy, fmt_spread, machine, parse_time, scan, scan_env, seed,
                   spread, write_doc)

PROWLER = ROOT / "bench" / ".prowler-venv" / "bin" / "prowler"
BEGIN, END = "<!-- vs-prowler:begin -->", "<!-- vs-prowler:end -->"
# Prowler's stderr log records: "\n2026-12-02 18:06:23,112 [File: ...] ... ERROR: ..."
PROWLER_ERROR_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \[File: .*\]\s+(ERROR|CRITICAL): ", re.MULTILINE)


def log(message: str) -> None:
    print(f"bench --vs-prowler: {message}", file=sys.stderr, flush=True)


def first_json_value(text: str, what: str):
    """The JSON value that starts at text's first '[' or '{': tolerates a banner or log lines before it."""
    starts = [i for i in (text.find("["), text.find("{")) if i >= 0]
    if not starts:
        raise RuntimeError(f"{what} printed no JSON:\n{text[:2000]}")
    return json.JSONDecoder().raw_decode(text, min(starts))[0]


def bulkhead_check_ids(binary: Path) -> list[str]:
    out = subprocess.run([binary, "checks", "--format", "json"], check=True, capture_output=True, text=True).stdout
    return [check["id"] for check in first_json_value(out, "bulkhead checks --format json")]


def prowler_check_ids() -> list[str]:
    out = subprocess.run([PROWLER, "aws", "--list-checks-json", "--no-banner"], check=True, capture_output=True,
                         text=True).stdout
    return list(first_json_value(out, "prowler aws --list-checks-json")["aws"])


def prowler_version() -> str:
    # From the package metadata: `prowler --version` asks GitHub for the latest release.
    out = subprocess.run([PROWLER.parent / "python", "-c", "import importlib.metadata as m; print(m.version('prowler'))"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def common_checks(binary: Path) -> tuple[list[str], list[str]]:
    """The checks both tools implement, and bulkhead's that Prowler does not have."""
    ours = bulkhead_check_ids(binary)
    theirs = set(prowler_check_ids())
    if not theirs:
        raise RuntimeError("prowler aws --list-checks-json listed no checks")
    return sorted(set(ours) & theirs), sorted(set(ours) - theirs)


def run_prowler(endpoint: str, creds: dict, regions: list[str], checks: list[str], work: Path) -> dict:
    out_dir = work / "prowler-out"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    env = {**scan_env(creds, out_dir), "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": regions[0]}
    time_file = work / "prowler.time"
    logs = out_dir / "prowler.log"
    command = [
        "/usr/bin/time", "-v", "-o", str(time_file), str(PROWLER), "aws", "--checks", *checks, "--region", *regions,
        "--output-formats", "json-ocsf", "--output-directory", str(out_dir), "--output-filename", "bench",
        "--no-banner", "--no-color", "--log-level", "ERROR",
        # bulkhead judges every resource; by default Prowler skips unused ones (security groups
        # without network interfaces, which are all of the synthetic account's).
        "--scan-unused-services",
    ]
    with logs.open("w") as log_file:
        result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    log_text = logs.read_text()
    if result.returncode not in (0, 3):  # 3: FAIL findings
        raise RuntimeError(f"prowler exited {result.returncode}:\n{log_text[-3000:]}")
    findings = json.loads((out_dir / "bench.ocsf.json").read_text())
    return {
        **parse_time(time_file.read_text()),
        "exit": result.returncode,
        "findings": len(findings),
        "findings_by_check": dict(sorted(Counter(f["metadata"]["event_code"] for f in findings).items())),
        "errors": len(PROWLER_ERROR_RECORD.findall(log_text)),
    }


def run_bulkhead(binary: Path, endpoint: str, creds: dict, regions: list[str], checks: list[str], work: Path) -> dict:
    out_dir = work / "bulkhead-out"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    measured = scan(binary, endpoint, creds, regions, out_dir, ["--checks", ",".join(checks)])
    report = json.loads((out_dir / "bench.json").read_text())
    by_check = Counter(finding["check_id"] for finding in report["findings"])
    return {**measured, "findings_by_check": dict(sorted(by_check.items()))}


def summarize(runs: list[dict]) -> dict:
    return {
        "runs": len(runs),
        "wall_s": spread(runs, "wall_s"),
        "cpu_s": spread(runs, "cpu_s"),
        "peak_rss_mb": spread(runs, "peak_rss_mb"),
        "findings": sorted({run["findings"] for run in runs}),
        "errors": max(run["errors"] for run in runs),
    }


def alternate(runs: int, prowler, bulkhead) -> dict:
    """A warm-up round, then `runs` measured rounds, each Prowler then bulkhead."""
    measured: dict = {"prowler": [], "bulkhead": []}
    for round_number in range(runs + 1):
        label = f"round {round_number}/{runs}" if round_number else "warm-up"
        for tool, run in (("prowler", prowler), ("bulkhead", bulkhead)):
            result = run()
            log(f"  {label}: {tool} {result['wall_s']:.2f} s")
            if round_number:
                measured[tool].append(result)
    return measured


def measure(binary: Path, checks: list[str], scales: list[int], region_counts: list[int], latencies: list[int],
            runs: int, work: Path) -> list[dict]:
    results = []
    for scale in scales:
        emulator = Emulator()
        try:
            creds = seed(emulator.endpoint, scale, REGIONS[: max(region_counts)], account=f"2100000{scale:05d}")
            for count in region_counts:
                regions = REGIONS[:count]
                for latency in latencies:
                    proxy = LatencyProxy(emulator.endpoint, latency) if latency else None
                    endpoint = proxy.endpoint if proxy else emulator.endpoint
                    try:
                        measured = alternate(
                            runs,
                            lambda: run_prowler(endpoint, creds, regions, checks, work),
                            lambda: run_bulkhead(binary, endpoint, creds, regions, checks, work),
                        )
                    finally:
                        if proxy:
                            proxy.stop()
                    point = {"scale": scale, "regions": count, "latency_ms": latency}
                    for tool, tool_runs in measured.items():
                        point[tool] = {"summary": summarize(tool_runs), "runs": tool_runs}
                    results.append(point)
                    p, b = point["prowler"]["summary"], point["bulkhead"]["summary"]
                    log(f"scale {scale}, {count} region(s), {latency} ms: Prowler {fmt_spread(p['wall_s'], ' s')}"
                        f" {fmt_spread(p['peak_rss_mb'], ' MB')} {p['findings']} findings; bulkhead "
                        f"{fmt_spread(b['wall_s'], ' s', 2)} {fmt_spread(b['peak_rss_mb'], ' MB')} "
                        f"{b['findings']} findings")
        finally:
            emulator.stop()
    return results


def ratio(point: dict, key: str) -> float:
    return point["prowler"]["summary"][key]["median"] / point["bulkhead"]["summary"][key]["median"]


def table(results: list[dict], info: dict, command: str) -> str:
    m = info["machine"]
    lines = [
        BEGIN,
        "",
        f"Measured {info['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; "
        f"moto {m['moto']}, Python {m['python']}; Prowler {info['prowler']}; "
        f"bulkhead at {m['commit']}, **{info['build']} build**.",
        "",
        f"Command: `{command}`. {len(info['checks'])} checks both tools implement (derived at run time; listed "
        f"below), Prowler with `--scan-unused-services`. Per point one warm-up round, then {info['runs']} measured "
        "round(s), each Prowler then bulkhead; median (min–max). CPU is the tool's own user+sys, RSS its peak; "
        "findings count PASS and FAIL alike; errors: Prowler's ERROR log records, bulkhead's report errors.",
        "",
        "| scale | regions | latency | Prowler wall s | bulkhead wall s | ÷ | Prowler CPU s | bulkhead CPU s | ÷ | "
        "Prowler peak RSS MB | bulkhead peak RSS MB | ÷ | findings Prowler / bulkhead | errors Prowler / bulkhead |",
        "|---:|---:|---:|---|---|---:|---|---|---:|---|---|---:|---|---|",
    ]
    for point in results:
        p, b = point["prowler"]["summary"], point["bulkhead"]["summary"]
        findings = f"{'/'.join(map(str, p['findings']))} / {'/'.join(map(str, b['findings']))}"
        lines.append(
            f"| {point['scale']} | {point['regions']} | {point['latency_ms']} ms | "
            f"{fmt_spread(p['wall_s'])} | {fmt_spread(b['wall_s'], digits=2)} | {ratio(point, 'wall_s'):.1f}× | "
            f"{fmt_spread(p['cpu_s'])} | {fmt_spread(b['cpu_s'], digits=2)} | {ratio(point, 'cpu_s'):.1f}× | "
            f"{fmt_spread(p['peak_rss_mb'])} | {fmt_spread(b['peak_rss_mb'])} | {ratio(point, 'peak_rss_mb'):.1f}× | "
            f"{findings} | {p['errors']} / {b['errors']} |"
        )
    lines += ["", "Findings per check where the two differ (each point's last measured round):", ""]
    differing = False
    for point in results:
        prowler = Counter(point["prowler"]["runs"][-1]["findings_by_check"])
        bulkhead = Counter(point["bulkhead"]["runs"][-1]["findings_by_check"])
        differences = [f"`{check}` {prowler[check]} / {bulkhead[check]}" for check in info["checks"]
                       if prowler[check] != bulkhead[check]]
        if differences:
            differing = True
            lines.append(f"- scale {point['scale']}, {point['regions']} region(s), {point['latency_ms']} ms "
                         f"(Prowler / bulkhead): " + ", ".join(differences))
    if not differing:
        lines.append("- none: every check gave both tools the same number of findings.")
    lines += [
        "",
        "÷: Prowler's median over bulkhead's. The checks: " + ", ".join(f"`{c}`" for c in info["checks"]) + ".",
        "",
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/run --vs-prowler",
                                     description="bulkhead against Prowler on the same seeded emulator")
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--build", choices=("release", "release-no-lto", "debug"),
                        help="how the binary was built, for the table (default: debug if its path has a debug folder)")
    parser.add_argument("--scales", default="10")
    parser.add_argument("--regions", default="3", help="region counts")
    parser.add_argument("--runs", type=int, default=3, help="measured rounds per point (after one warm-up round)")
    parser.add_argument("--latency-ms", type=int, default=100, help="the added latency besides 0 ms; 0: only 0 ms")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    region_counts = [int(r) for r in args.regions.split(",")]
    if max(region_counts) > len(REGIONS):
        parser.error(f"at most {len(REGIONS)} regions")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not PROWLER.exists():
        parser.error(f"{PROWLER} missing: run bench/install-prowler (bench/run does)")
    build = args.build or ("debug" if "debug" in args.binary.resolve().parts else "release")
    latencies = [0] + ([args.latency_ms] if args.latency_ms else [])
    options = [arg for arg in argv if arg not in ("--binary", str(args.binary))]
    command = " ".join(["bench/run", "--vs-prowler", *options])

    work = Path(tempfile.mkdtemp(prefix="bulkhead-vs-prowler-"))
    try:
        # A private copy: another build into the same target folder must not swap the binary between runs.
        binary = work / "bulkhead"
        shutil.copy2(args.binary, binary)
        checks, bulkhead_only = common_checks(binary)
        if not checks:
            raise RuntimeError("bulkhead and Prowler have no check in common")
        log(f"{len(checks)} checks in common (Prowler {prowler_version()}); bulkhead's {len(bulkhead_only)} others: "
            + ", ".join(bulkhead_only))
        results = measure(binary, checks, scales, region_counts, latencies, args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    info = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "runs": args.runs, "build": build,
            "prowler": prowler_version(), "checks": checks, "bulkhead_only_checks": bulkhead_only}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "vs-prowler-latest.json").write_text(
        json.dumps({"info": info, "command": command, "results": results}, indent=1))
    section = table(results, info, command)
    print(section)
    if not args.no_doc:
        write_doc(section, BEGIN, END)
        log("wrote docs/performance.md")
    return 0
