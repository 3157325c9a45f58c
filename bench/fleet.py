"""bulkhead's fleet benchmark: does a scan's memory stay flat in the number of
accounts, and do shards merge into the one-process report? Run it through
bench/fleet.

One fresh emulator serves every fleet point: member accounts of the synthetic
account (bench/synthetic.py) at scale 1 in --regions regions are seeded
incrementally (the 10-account point's accounts are the first 10 of the 100,
and so on), by --seeders localstack/seed.py processes at once. After each
point is seeded, one bulkhead process scans all of its accounts through the
role bulkhead-scan (the emulator's AssumeRole accepts any role, so the
seeder's scan role works in every account) under /usr/bin/time -v: wall,
user+sys CPU, peak RSS, findings, calls (the JSON report's scan.stats), exit
code, --runs times.

Shards: at --shards-at (default the largest point), --shards processes scan
`--shard I/N` (I from 0) one after another (or at once with
--shards-parallel), `bulkhead merge` joins their JSON reports, and the merged
findings are compared with the one-process scan's (bench/compare_findings.py:
normalised, as multisets and in order; the rest of the report apart from
timing fields and stats). Skipped, with a message, when the binary has no
`merge` subcommand.

Raw results go to bench/results/fleet-latest.json and the table replaces the
part of docs/performance.md between the fleet markers, both rewritten after
every point, so an interrupted run keeps the points it finished.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import LOCALSTACK, PYTHON, REGIONS, ROOT, Emulator, machine, parse_time, scan_env  # noqa: E402
from compare_findings import compare, report_apart_from_findings  # noqa: E402

BEGIN, END = "<!-- fleet:begin -->", "<!-- fleet:end -->"
HEADING = "## Fleet: memory flat in the number of accounts"
ROLE = "bulkhead-scan"
SCALE = 1


def log(message: str) -> None:
    print(f"fleet: {message}", file=sys.stderr, flush=True)


def account_id(index: int) -> str:
    """The index-th member account (from 1): 12 digits, the same in every run."""
    return f"31{index:010d}"


class Seeder:
    """Seeds accounts into one emulator, --seeders seed.py processes at once, keeping the count."""

    def __init__(self, endpoint: str, regions: list[str], workers: int, work: Path) -> None:
        self.endpoint, self.workers = endpoint, workers
        self.fixture = work / "member.yaml"
        self.fixture.write_text(subprocess.run(
            [PYTHON, ROOT / "bench" / "synthetic.py", "--scale", str(SCALE), "--regions", ",".join(regions)],
            check=True, capture_output=True, text=True,
        ).stdout)
        self.seeded = 0
        self.creds: dict | None = None  # the first account's scan role: the scans' own credentials
        self.per_account_s: list[float] = []  # each seed.py's own wall time
        self.batches: list[dict] = []  # per top-up: accounts, wall, workers

    def one(self, index: int) -> tuple[int, float, str]:
        started = time.monotonic()
        out = subprocess.run(
            [PYTHON, LOCALSTACK / "seed.py", "--endpoint", self.endpoint, "--account", account_id(index),
             str(self.fixture)], capture_output=True, text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"seeding account {account_id(index)} exited {out.returncode}:\n{out.stderr[-2000:]}")
        return index, time.monotonic() - started, out.stdout.strip().splitlines()[-1]

    def up_to(self, count: int) -> None:
        if count <= self.seeded:
            return
        first, started, done, lock = self.seeded + 1, time.monotonic(), 0, threading.Lock()
        total = count - self.seeded
        log(f"seeding accounts {first}..{count} ({total}) with {self.workers} seeder(s)")
        with ThreadPoolExecutor(self.workers) as pool:
            futures = [pool.submit(self.one, index) for index in range(first, count + 1)]
            try:
                for future in as_completed(futures):
                    index, seconds, line = future.result()
                    with lock:
                        done += 1
                        self.per_account_s.append(seconds)
                        if index == 1:
                            self.creds = json.loads(line)
                    if done % 10 == 0 or done == total:
                        elapsed = time.monotonic() - started
                        rate = elapsed / done
                        log(f"  seeded {done}/{total}: {elapsed:.0f} s, {rate:.1f} s per account overall "
                            f"(one seed.py: {statistics.median(self.per_account_s[-done:]):.1f} s), "
                            f"about {rate * (total - done):.0f} s to go")
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        wall = time.monotonic() - started
        self.batches.append({"from": first, "to": count, "wall_s": wall, "workers": self.workers})
        self.seeded = count
        log(f"seeded {total} account(s) in {wall:.0f} s ({wall / total:.1f} s per account)")


def scan_command(binary: Path, endpoint: str, regions: list[str], accounts: list[str], out_dir: Path,
                 formats: str, extra: list[str]) -> list[str]:
    return [
        str(binary), "scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--regions", ",".join(regions),
        "--accounts", ",".join(accounts), "--role-name", ROLE, "--output-dir", str(out_dir),
        "--output-name", "fleet", "--output-formats", formats, "--quiet", *extra,
    ]


def timed(command: list[str], environment: dict) -> tuple[dict, subprocess.CompletedProcess]:
    result = subprocess.run(["/usr/bin/time", "-v", *command], env=environment, capture_output=True, text=True)
    return parse_time(result.stderr), result


def scan(binary: Path, endpoint: str, creds: dict, regions: list[str], accounts: list[str], out_dir: Path,
         formats: str, extra: list[str]) -> dict:
    """One scan in a fresh folder (no scan store from an earlier run: failing_since stays the same)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    measured, result = timed(scan_command(binary, endpoint, regions, accounts, out_dir, formats, extra),
                             scan_env(creds, out_dir))
    if result.returncode not in (0, 3):
        raise RuntimeError(f"scan exited {result.returncode}:\n{result.stderr[-3000:]}")
    report, findings = report_apart_from_findings(str(out_dir / "fleet.json"))
    stats = report["scan"]["stats"]
    sizes = {path.suffix[1:]: path.stat().st_size for path in out_dir.glob("fleet.*")}
    return {
        **measured,
        "exit": result.returncode,
        "accounts": len(report["scan"]["accounts"]),
        "findings": findings,
        "errors": len(report["scan"]["errors"]),
        "calls": stats["calls"],
        "retries": stats["retries"],
        "throttles": stats["throttles"],
        "report_bytes": sizes,
    }


def emulator_rss_mb(emulator: Emulator) -> float | None:
    """The emulator's own resident memory (moto keeps every account's world in one process)."""
    try:
        pid = (LOCALSTACK / ".run" / f"moto-{emulator.port}.pid").read_text().strip()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(status.split("VmRSS:", 1)[1].split()[0]) / 1024


def has_merge(binary: Path) -> tuple[bool, str]:
    result = subprocess.run([str(binary), "merge", "--help"], capture_output=True, text=True)
    if result.returncode != 0:
        return False, (result.stderr.strip().splitlines() or ["exit %d" % result.returncode])[0]
    scan_help = subprocess.run([str(binary), "scan", "--help"], capture_output=True, text=True).stdout
    if "--shard" not in scan_help:
        return False, "`bulkhead scan --help` lists no --shard"
    return True, ""


def shards(binary: Path, endpoint: str, creds: dict, regions: list[str], accounts: list[str], work: Path,
           count: int, parallel: bool, extra: list[str], one_process: Path) -> dict:
    """--shard I/count for every I, bulkhead merge, and the merged findings against one_process's."""
    dirs = [work / f"shard-{i}" for i in range(count)]
    for folder in dirs:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    commands = [scan_command(binary, endpoint, regions, accounts, folder, "json", [*extra, "--shard", f"{i}/{count}"])
                for i, folder in enumerate(dirs)]
    started = time.monotonic()
    if parallel:
        with ThreadPoolExecutor(count) as pool:
            outcomes = list(pool.map(lambda pair: timed(pair[0], scan_env(creds, pair[1])), zip(commands, dirs)))
    else:
        outcomes = [timed(command, scan_env(creds, folder)) for command, folder in zip(commands, dirs)]
    shards_wall = time.monotonic() - started
    runs = []
    for i, (measured, result) in enumerate(outcomes):
        if result.returncode not in (0, 3):
            raise RuntimeError(f"shard {i}/{count} exited {result.returncode}:\n{result.stderr[-3000:]}")
        report, findings = report_apart_from_findings(str(dirs[i] / "fleet.json"))
        runs.append({**measured, "exit": result.returncode, "accounts": len(report["scan"]["accounts"]),
                     "findings": findings, "calls": report["scan"]["stats"]["calls"]})
        log(f"  shard {i}/{count}: {runs[-1]['accounts']} accounts, wall {measured['wall_s']:.1f} s, "
            f"rss {measured['peak_rss_mb']:.1f} MB, exit {result.returncode}")
    merged_dir = work / "merged"
    shutil.rmtree(merged_dir, ignore_errors=True)
    merged_dir.mkdir(parents=True)
    merge_measured, merge = timed(
        [str(binary), "merge", *[str(folder / "fleet.json") for folder in dirs], "--output-dir", str(merged_dir),
         "--output-name", "merged", "--output-formats", "json", "--quiet"], scan_env(creds, merged_dir))
    if merge.returncode not in (0, 3):
        raise RuntimeError(f"bulkhead merge exited {merge.returncode}:\n{merge.stderr[-3000:]}")
    comparison = compare(str(one_process), str(merged_dir / "merged.json"))
    return {
        "count": count,
        "parallel": parallel,
        "shards": runs,
        "shards_wall_s": shards_wall,
        "longest_shard_wall_s": max(run["wall_s"] for run in runs),
        "merge": {**merge_measured, "exit": merge.returncode},
        "comparison": comparison,
    }


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def sizes(run: dict) -> str:
    found = run.get("report_bytes", {})
    return " / ".join(f"{found[ext] / 1e6:.1f}" if ext in found else "–" for ext in ("json", "html", "csv"))


def section(state: dict) -> str:
    info, points = state["info"], state["points"]
    m = info["machine"]
    lines = [BEGIN, ""]
    if info.get("note"):
        lines += [f"**{info['note']}**", ""]
    lines += [
        f"Measured {info['date']} with a **{info['build']} build** of bulkhead at {m['commit']}.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; {m['rustc']}, "
        f"moto {m['moto']}, Python {m['python']}." + (f" {info['machine_note']}" if info.get("machine_note") else ""),
        "",
        f"Command: `{state['command']}`. Member accounts of the synthetic account at scale {SCALE} in "
        f"{len(info['regions'])} regions ({', '.join(info['regions'])}), ids {account_id(1)} onwards, all "
        "seeded into one emulator; each point scans the first N in one process "
        f"(`--accounts … --role-name {ROLE} --output-formats {info['formats']}`) under `/usr/bin/time -v`, "
        f"{info['runs']} run(s), median. CPU is bulkhead's own user+sys; RSS its peak.",
        "",
        "| accounts | findings | calls | wall s | calls/s | CPU s | peak RSS MB | RSS ÷ RSS at "
        f"{points[0]['accounts'] if points else '–'} | JSON / HTML / CSV MB | exit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    base = points[0]["summary"]["peak_rss_mb"] if points else None
    for point in points:
        s = point["summary"]
        lines.append(
            f"| {point['accounts']} | {s['findings']} | {s['calls']} | {fmt(s['wall_s'])} | "
            f"{fmt(s['calls'] / s['wall_s'], 0)} | {fmt(s['cpu_s'], 2)} | {fmt(s['peak_rss_mb'])} | "
            f"{s['peak_rss_mb'] / base:.2f}× | {sizes(point['runs'][-1])} | {s['exit']} |"
        )
    seeding = state.get("seeding", {})
    if seeding.get("per_account_s"):
        lines += ["", f"Seeding: {seeding['accounts']} accounts in {seeding['wall_s']:.0f} s with "
                      f"{seeding['workers']} seed.py process(es) at once, {seeding['wall_s'] / seeding['accounts']:.1f} s "
                      f"per account overall (one seed.py: median {seeding['median_s']:.1f} s)"
                      + (f"; the emulator's own RSS was {points[-1]['emulator_rss_mb'] / 1024:.1f} GiB with "
                         f"{points[-1]['accounts']} accounts seeded" if points and points[-1].get("emulator_rss_mb") else "")
                      + "."]
    if len(points) >= 2:
        first, last = points[0], points[-1]
        ratio = last["summary"]["peak_rss_mb"] / first["summary"]["peak_rss_mb"]
        flat = ratio <= 1.2 and last["summary"]["peak_rss_mb"] < 100
        rates = [p["summary"]["calls"] / p["summary"]["wall_s"] for p in points]
        lines += [
            "",
            "Targets:",
            "",
            f"- peak RSS at {last['accounts']} accounts within 1.2× of that at {first['accounts']} and under 100 MB: "
            f"**{'met' if flat else 'not met'}**, {ratio:.2f}× ({fmt(first['summary']['peak_rss_mb'])} → "
            f"{fmt(last['summary']['peak_rss_mb'])} MB)"
            + ("" if last["accounts"] >= 300 else f" (the largest point measured is {last['accounts']} accounts)") + ";",
            f"- wall proportional to calls at the emulator's throughput: {min(rates):.0f}–{max(rates):.0f} calls/s "
            f"across the points (max ÷ min {max(rates) / min(rates):.2f}).",
        ]
    shard = state.get("shards")
    lines += ["", "Shards:", ""]
    if shard is None:
        lines.append("- not run.")
    elif shard.get("skipped"):
        lines.append(f"- skipped: {shard['skipped']}.")
    elif shard.get("failed"):
        lines.append(f"- **failed** at {shard['accounts']} accounts: `{' '.join(shard['failed'].split())[:300]}`.")
    else:
        c = shard["comparison"]
        one = next(p for p in points if p["accounts"] == shard["accounts"])["summary"]
        lines += [
            f"- {shard['accounts']} accounts, {shard['count']} shard processes "
            f"({'at once' if shard['parallel'] else 'one after another'}) with `--shard I/{shard['count']}` "
            f"and `--output-formats json`, then `bulkhead merge`: shards "
            + ", ".join(f"{r['accounts']} accounts {fmt(r['wall_s'])} s {fmt(r['peak_rss_mb'])} MB"
                        for r in shard["shards"])
            + f"; all shards {fmt(shard['shards_wall_s'])} s, longest {fmt(shard['longest_shard_wall_s'])} s, "
            f"merge {fmt(shard['merge']['wall_s'])} s ({fmt(shard['merge']['peak_rss_mb'])} MB);",
            f"- one process (json, html, csv): {fmt(one['wall_s'])} s;",
            f"- merged findings {'**identical**' if c['identical'] else '**differ**'} to one process's "
            f"({c['after']} against {c['before']}; {c['only_before']} only in one process, {c['only_after']} only "
            f"merged; same order: {'yes' if c['same_order'] else 'no'}); rest of the report apart from timing "
            f"and stats: {'identical' if not c['rest_differs_in'] else 'differs in ' + ', '.join(c['rest_differs_in'])}.",
        ]
    lines += ["", f"Raw results: `{info.get('results', 'bench/results/fleet-latest.json')}`.", "", END]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = ROOT / "docs" / "performance.md"
    current = doc.read_text()
    if BEGIN not in current or END not in current:
        current = current.rstrip("\n") + f"\n\n{HEADING}\n\n{BEGIN}\n{END}\n"
    before, rest = current.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    doc.write_text(before + text + after)


def summarize(runs: list[dict]) -> dict:
    return {
        "runs": len(runs),
        "wall_s": statistics.median(run["wall_s"] for run in runs),
        "cpu_s": statistics.median(run["cpu_s"] for run in runs),
        "peak_rss_mb": statistics.median(run["peak_rss_mb"] for run in runs),
        "findings": runs[-1]["findings"],
        "calls": runs[-1]["calls"],
        "errors": max(run["errors"] for run in runs),
        "exit": runs[-1]["exit"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bulkhead's fleet benchmark (run it through bench/fleet)")
    parser.add_argument("--binary", type=Path, required="--render-only" not in (argv or sys.argv))
    parser.add_argument("--build", default="debug", help="the binary's cargo profile, for the doc (debug)")
    parser.add_argument("--points", default="10,100,300", help="account counts, ascending")
    parser.add_argument("--regions", type=int, default=3, help="how many regions (the first N of bench.py's)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seeders", type=int, default=2, help="seed.py processes at once")
    parser.add_argument("--formats", default="json,html,csv", help="--output-formats of the one-process scans")
    parser.add_argument("--shards", type=int, default=4, help="shard processes; 0: no shard comparison")
    parser.add_argument("--shards-at", type=int, help="the point of the shard comparison (default: the largest)")
    parser.add_argument("--shards-parallel", action="store_true", help="run the shard processes at once")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument("--commit", help="the commit the binary was built from (default: this checkout's HEAD)")
    parser.add_argument("--note", help="a line for the top of the doc section, e.g. what the build lacks")
    parser.add_argument("--machine-note", help="a sentence after the machine, e.g. that it was shared")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "fleet-latest.json",
                        help="where the raw results go (bench/results/fleet-latest.json)")
    parser.add_argument("--render-only", action="store_true",
                        help="only rewrite the doc section from --results (after editing the script's text)")
    parser.add_argument("--keep", action="store_true", help="keep the reports' folder (its path is printed)")
    parser.add_argument("--scan-arg", action="append", default=[],
                        help="an extra argument for every scan (repeat it), e.g. --scan-arg=--max-accounts-in-flight=8")
    args = parser.parse_args(argv)
    if args.render_only:
        write_doc(section(json.loads(args.results.read_text())))
        log(f"rewrote docs/performance.md from {args.results}")
        return 0
    points = [int(p) for p in args.points.split(",")]
    if points != sorted(set(points)) or points[0] < 1:
        parser.error("--points: distinct account counts, ascending")
    if not 1 <= args.regions <= len(REGIONS):
        parser.error(f"--regions: 1 to {len(REGIONS)}")
    shards_at = args.shards_at or points[-1]
    if args.shards and shards_at not in points:
        parser.error("--shards-at must be one of --points")
    regions = REGIONS[: args.regions]
    given = argv if argv is not None else sys.argv[1:]
    options, skip = [], False
    for arg in given:
        if skip:
            skip = False
        elif arg in ("--binary", "--build", "--commit", "--note", "--machine-note"):
            skip = True
        elif not arg.startswith(("--binary=", "--build=", "--commit=", "--note=", "--machine-note=")):
            options.append(arg)
    command = shlex.join(["bench/fleet", *options])

    work = Path(tempfile.mkdtemp(prefix="bulkhead-fleet-"))
    info_machine = machine()
    if args.commit:
        info_machine["commit"] = args.commit
    info = {"date": time.strftime("%Y-%m-%d"), "machine": info_machine, "build": args.build, "note": args.note,
            "machine_note": args.machine_note, "runs": args.runs,
            "regions": regions, "formats": args.formats, "scale": SCALE, "binary": str(args.binary)}
    state: dict = {"info": info, "command": command, "points": [], "seeding": {}, "shards": None}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    results = args.results.resolve()
    info["results"] = str(results.relative_to(ROOT)) if results.is_relative_to(ROOT) else str(results)

    def save() -> None:
        args.results.write_text(json.dumps(state, indent=1))
        if not args.no_doc:
            write_doc(section(state))

    if args.shards:
        present, why = has_merge(args.binary)
        if not present:
            state["shards"] = {"accounts": shards_at, "skipped": f"this binary has no `bulkhead merge` / "
                                                                   f"`scan --shard` ({why})"}
            log(f"shard comparison will be skipped: {state['shards']['skipped']}")
    emulator = Emulator()
    log(f"emulator at {emulator.endpoint}; work folder {work}")
    try:
        seeder = Seeder(emulator.endpoint, regions, args.seeders, work)
        for count in points:
            seeder.up_to(count)
            wall = sum(batch["wall_s"] for batch in seeder.batches)
            state["seeding"] = {"accounts": seeder.seeded, "wall_s": wall, "workers": args.seeders,
                                "median_s": statistics.median(seeder.per_account_s),
                                "per_account_s": [round(s, 2) for s in seeder.per_account_s],
                                "batches": seeder.batches}
            accounts = [account_id(i) for i in range(1, count + 1)]
            runs = []
            for run in range(args.runs):
                log(f"{count} accounts: scan {run + 1}/{args.runs}")
                runs.append(scan(args.binary, emulator.endpoint, seeder.creds, regions, accounts,
                                 work / f"scan-{count}", args.formats, args.scan_arg))
                r = runs[-1]
                log(f"{count} accounts: wall {r['wall_s']:.1f} s, cpu {r['cpu_s']:.2f} s, rss {r['peak_rss_mb']:.1f} MB, "
                    f"{r['findings']} findings, {r['calls']} calls, exit {r['exit']}")
                if r["accounts"] != count:
                    raise RuntimeError(f"the report names {r['accounts']} accounts, not {count}")
            state["points"].append({"accounts": count, "summary": summarize(runs), "runs": runs,
                                    "emulator_rss_mb": emulator_rss_mb(emulator)})
            save()
            if args.shards and count == shards_at and state["shards"] is None:
                log(f"{count} accounts: {args.shards} shards "
                    f"({'at once' if args.shards_parallel else 'one after another'}), then merge")
                try:
                    result = shards(args.binary, emulator.endpoint, seeder.creds, regions, accounts,
                                    work / "shards", args.shards, args.shards_parallel, args.scan_arg,
                                    work / f"scan-{count}" / "fleet.json")
                except (RuntimeError, OSError, ValueError, KeyError) as error:
                    state["shards"] = {"accounts": count, "failed": str(error).strip()}
                    log(f"shards failed: {error}")
                else:
                    state["shards"] = {"accounts": count, **result}
                    c = result["comparison"]
                    log(f"shards: all {result['shards_wall_s']:.1f} s (longest {result['longest_shard_wall_s']:.1f} s)"
                        f" + merge {result['merge']['wall_s']:.1f} s, against one process "
                        f"{state['points'][-1]['summary']['wall_s']:.1f} s; merged findings "
                        f"{'identical' if c['identical'] else 'DIFFER'} ({c['only_before']} only in one process, "
                        f"{c['only_after']} only merged), same order {c['same_order']}, "
                        f"rest differs in {c['rest_differs_in'] or 'nothing'}")
                save()
            if not args.keep:
                shutil.rmtree(work / f"scan-{count}", ignore_errors=True)
    finally:
        emulator.stop()
        if args.keep:
            log(f"reports kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    save()
    print(section(state))
    if not args.no_doc:
        log(f"wrote docs/performance.md and {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
