"""Where a scan's peak memory goes: `bench/run --footprint`.

Seeds the synthetic account of `bench/synthetic.py` into a fresh emulator,
then scans it with the binary and samples the process's `/proc/PID/smaps`
every few milliseconds, keeping the sample with the largest resident set.
That sample is split by mapping: the binary's code and read-only data as
read from the file, the pages of the binary the loader relocated (anonymous
copies), the heap, other anonymous memory (thread stacks, the allocator's
other arenas), and shared libraries. Peak RSS is also taken from GNU
`time`, which sees the true peak the sampling may miss by a few pages.

Not part of the test suite. Results go to stdout (and `--json FILE`).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import bench

MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ (\S{4}) \S+ \S+ \S+\s*(.*)$")
FIELD = re.compile(r"^(Rss|Anonymous):\s+(\d+) kB$")
PARTS = [
    ("binary code", "the binary's executable pages read from the file (r-x)"),
    ("binary read-only data", "its rodata, unwind tables and relocation records read from the file (r--)"),
    ("binary relocated data", "the binary's pages the loader wrote relocations into (anonymous copies)"),
    ("heap", "glibc's main arena ([heap])"),
    ("other anonymous", "thread stacks, mmap'd allocations, other arenas"),
    ("shared libraries", "libc, libm, the loader"),
]


def classify(mapping: str, perms: str, binary_name: str) -> tuple[str, str]:
    """The part a mapping's file-backed and anonymous pages count towards."""
    name = mapping.split("/")[-1]
    if name == binary_name:
        return ("binary code" if "x" in perms else "binary read-only data"), "binary relocated data"
    if mapping == "[heap]":
        return "heap", "heap"
    if mapping.startswith("/"):
        return "shared libraries", "shared libraries"
    return "other anonymous", "other anonymous"


def breakdown(smaps: str, binary_name: str) -> Counter:
    parts: Counter = Counter()
    file_part = anon_part = None
    rss = 0
    for line in smaps.splitlines():
        mapping = MAPPING.match(line)
        if mapping:
            file_part, anon_part = classify(mapping[2], mapping[1], binary_name)
            continue
        field = FIELD.match(line)
        if not field:
            continue
        kb = int(field[2])
        if field[1] == "Rss":
            rss = kb
        else:  # Anonymous comes after Rss in every mapping's block
            parts[anon_part] += kb
            parts[file_part] += rss - kb
    return parts


def sample(command: list[str], env: dict, binary_name: str) -> tuple[Counter, dict]:
    """Runs `command` under GNU time, sampling its smaps; the largest sample and time's figures."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as time_file:
        process = subprocess.Popen(["/usr/bin/time", "-v", "-o", time_file.name, *command], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        child, largest = None, Counter()
        while process.poll() is None:
            try:
                if child is None:
                    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
                    child = children[0] if children else None
                if child:
                    parts = breakdown(Path(f"/proc/{child}/smaps").read_text(), binary_name)
                    if sum(parts.values()) > sum(largest.values()):
                        largest = parts
            except (FileNotFoundError, ProcessLookupError):
                pass
            time.sleep(0.003)
        stderr = process.stderr.read().decode()
        if process.returncode not in (0, 3):
            raise RuntimeError(f"scan exited {process.returncode}:\n{stderr[-3000:]}")
        return largest, bench.parse_time(Path(time_file.name).read_text())


def measure(binary: Path, endpoint: str, creds: dict, regions: list[str], runs: int) -> dict:
    """`runs` scans of the seeded account after a warm-up one; the median by peak RSS."""
    measured = []
    for _ in range(runs + 1):
        with tempfile.TemporaryDirectory() as out:
            command = [
                str(binary), "scan", "--endpoint-url", endpoint, "--region", regions[0],
                "--regions", ",".join(regions), "--output-dir", out, "--output-name", "bench",
                "--output-formats", "json", "--quiet",
            ]
            parts, figures = sample(command, bench.scan_env(creds, Path(out)), binary.name)
            report = json.loads((Path(out) / "bench.json").read_text())
            measured.append({"parts_kb": dict(parts), **figures, "findings": len(report["findings"]),
                             "calls": report["scan"]["stats"]["calls"]})
    measured = measured[1:]
    middle = sorted(measured, key=lambda run: run["peak_rss_mb"])[len(measured) // 2]
    return {"binary": str(binary), "size_mb": binary.stat().st_size / 2**20, "runs": measured, "median": middle}


def table(results: list[dict]) -> str:
    """A markdown table, one column per binary."""
    def row(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(result) for result in results) + " |"

    rows = [row("part", lambda r: Path(r["binary"]).name), "|---|" + "---:|" * len(results)]
    for part, what in PARTS:
        rows.append(row(f"{part}: {what}", lambda r, part=part: f"{r['median']['parts_kb'].get(part, 0) / 1024:.1f}"))
    rows += [
        row("sampled RSS at its largest", lambda r: f"{sum(r['median']['parts_kb'].values()) / 1024:.1f}"),
        row("peak RSS (GNU time)", lambda r: f"{r['median']['peak_rss_mb']:.1f}"),
        row("wall s / CPU s", lambda r: f"{r['median']['wall_s']:.2f} / {r['median']['cpu_s']:.2f}"),
        row("findings / calls", lambda r: f"{r['median']['findings']} / {r['median']['calls']}"),
        row("binary on disk", lambda r: f"{r['size_mb']:.1f}"),
    ]
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/run --footprint", description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, action="append", required=True,
                        help="repeat to compare binaries on the same seeded account")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    emulator = bench.Emulator()
    try:
        regions = bench.REGIONS[: args.regions]
        creds = bench.seed(emulator.endpoint, args.scale, regions, account=f"2200000{args.scale:05d}")
        results = [measure(binary, emulator.endpoint, creds, regions, args.runs) for binary in args.binary]
    finally:
        emulator.stop()

    print(f"scale {args.scale} x {args.regions} region(s), every check, scan store on; median of {args.runs} run(s)"
          f" by peak RSS; MB")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({"scale": args.scale, "regions": args.regions, "results": results},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
