"""bulkhead's performance benchmark. Run it through bench/run, which builds
the release binary and installs the emulator first.

For each scale: start a fresh emulator, seed the synthetic account
(bench/synthetic.py) in the largest region count asked for, count what was
seeded, then for each region count (the first N of REGIONS) and each latency
mode scan it once to warm up and --runs times measured, each under
/usr/bin/time -v. Latency mode puts localstack/faultproxy.py in front of the
emulator with --latency-ms (exactly that much added to every call).

Per point: median and range of wall time, user+sys CPU and peak RSS of the
bulkhead process; findings; AWS calls (from the report's stats block), the
minimum calls for the seeded account by the formula in minimum_calls(), and
the critical-path depth. Raw results go to bench/results/latest.json; the
table replaces the part of docs/performance.md between the bench markers.

With --vs-prowler, the benchmark against Prowler instead: bench/vs_prowler.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
LOCALSTACK = ROOT / "localstack"
PYTHON = LOCALSTACK / ".venv" / "bin" / "python"
# 17 regions moto serves; the first 1 and 3 are the smaller points.
REGIONS = [
    "us-east-1", "eu-west-1", "ap-southeast-2", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
    "eu-central-1", "eu-west-2", "eu-west-3", "eu-north-1", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-south-1", "sa-east-1",
]
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class Emulator:
    def __init__(self) -> None:
        out = subprocess.run([LOCALSTACK / "start", "--port", "auto"], check=True, capture_output=True, text=True)
        self.endpoint = out.stdout.strip().splitlines()[-1]
        self.port = self.endpoint.rsplit(":", 1)[1]

    def stop(self) -> None:
        subprocess.run([LOCALSTACK / "stop", "--port", self.port], check=False, capture_output=True)


class LatencyProxy:
    def __init__(self, upstream: str, latency_ms: int) -> None:
        self.process = subprocess.Popen(
            [PYTHON, LOCALSTACK / "faultproxy.py", "--upstream", upstream, "--seed", "1",
             "--latency-ms", str(latency_ms), "--jitter-ms", "0", "--lifetime", "86400"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.endpoint = self.process.stdout.readline().strip()
        if not self.endpoint.startswith("http"):
            raise RuntimeError("the latency proxy did not start")

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def seed(endpoint: str, scale: int, regions: list[str], account: str) -> dict:
    fixture = subprocess.run(
        [PYTHON, ROOT / "bench" / "synthetic.py", "--scale", str(scale), "--regions", ",".join(regions)],
        check=True, capture_output=True, text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as file:
        file.write(fixture)
    try:
        started = time.monotonic()
        out = subprocess.run(
            [PYTHON, LOCALSTACK / "seed.py", "--endpoint", endpoint, "--account", account, file.name],
            check=True, capture_output=True, text=True,
        )
        log(f"seeded scale {scale} in {len(regions)} regions in {time.monotonic() - started:.0f} s")
    finally:
        os.unlink(file.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def client(service: str, region: str, endpoint: str, creds: dict):
    return boto3.client(
        service, region_name=region, endpoint_url=endpoint,
        aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
        aws_session_token=creds["session_token"], config=Config(retries={"max_attempts": 10}),
    )


def everything(call, key: str, token_in: str = "nextToken", token_out: str = "nextToken", **kwargs) -> list:
    items, token = [], None
    while True:
        page = call(**kwargs, **({token_in: token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get(token_out)
        if not token:
            return items


OWN_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repository>[^:@]+)"
    r"(?::(?P<tag>[^@]+))?(?:@(?P<digest>.+))?$"
)


def census(endpoint: str, creds: dict, regions: list[str]) -> dict:
    """What the seeded account holds, counted with boto3: the inputs of the formula."""
    per_region = {}
    images_named: dict = defaultdict(set)
    for region in regions:
        ec2 = client("ec2", region, endpoint, creds)
        ecr = client("ecr", region, endpoint, creds)
        ecs = client("ecs", region, endpoint, creds)
        repos = everything(ecr.describe_repositories, "repositories")
        clusters = everything(ecs.list_clusters, "clusterArns")
        families = everything(ecs.list_task_definition_families, "families", status="ACTIVE")
        latest, containers = {}, []
        for family in families:
            definition = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
            latest[family] = definition["taskDefinitionArn"]
            containers.extend(definition["containerDefinitions"])
        services, tasks, in_use = {}, {}, set()
        for cluster in clusters:
            arns = everything(ecs.list_services, "serviceArns", cluster=cluster)
            services[cluster] = len(arns)
            for start in range(0, len(arns), 10):
                for service in ecs.describe_services(cluster=cluster, services=arns[start:start + 10])["services"]:
                    in_use.add(service["taskDefinition"])
            task_arns = everything(ecs.list_tasks, "taskArns", cluster=cluster, desiredStatus="RUNNING")
            tasks[cluster] = len(task_arns)
            for start in range(0, len(task_arns), 100):
                for task in ecs.describe_tasks(cluster=cluster, tasks=task_arns[start:start + 100])["tasks"]:
                    in_use.add(task["taskDefinitionArn"])
        for arn in in_use - set(latest.values()):
            containers.extend(ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"])
        for container in containers:
            found = OWN_ECR_IMAGE.match(container["image"])
            if found and found["account"] == creds["account_id"]:
                selector = found["digest"] or found["tag"] or "latest"
                images_named[(found["region"], found["repository"])].add(selector)
        elbv2 = client("elbv2", region, endpoint, creds)
        balancers = everything(elbv2.describe_load_balancers, "LoadBalancers", "Marker", "NextMarker")
        per_region[region] = {
            "load_balancers": len(balancers),
            "internet_facing_load_balancers": sum(1 for lb in balancers if lb.get("Scheme") == "internet-facing"),
            "target_groups": len(everything(elbv2.describe_target_groups, "TargetGroups", "Marker", "NextMarker")),
            "security_groups": len(everything(ec2.describe_security_groups, "SecurityGroups", "NextToken", "NextToken")),
            "network_acls": len(everything(ec2.describe_network_acls, "NetworkAcls", "NextToken", "NextToken")),
            "network_interfaces": len(
                everything(ec2.describe_network_interfaces, "NetworkInterfaces", "NextToken", "NextToken")),
            "repositories": len(repos),
            "images": [len(everything(ecr.describe_images, "imageDetails", repositoryName=repo["repositoryName"]))
                       for repo in repos],
            "clusters": len(clusters),
            "services": list(services.values()),
            "tasks": list(tasks.values()),
            "families": len(families),
            "in_use_not_latest": len(in_use - set(latest.values())),
            "trails": [trail["TrailARN"] for trail in
                       client("cloudtrail", region, endpoint, creds).describe_trails()["trailList"]],
        }
    # The images the judged task definitions name in the account's own ECR:
    # their manifests (BatchGetImage per repository) and distinct config blobs.
    named_images = {}
    for (ecr_region, repository), selectors in sorted(images_named.items()):
        ecr = client("ecr", ecr_region, endpoint, creds)
        ids = [{"imageDigest": s} if s.startswith("sha256:") else {"imageTag": s} for s in sorted(selectors)]
        configs, digests = set(), set()
        for start in range(0, len(ids), 100):
            for image in ecr.batch_get_image(repositoryName=repository, imageIds=ids[start:start + 100])["images"]:
                configs.add(json.loads(image["imageManifest"]).get("config", {}).get("digest"))
                digests.add(image["imageId"]["imageDigest"])
        configs.discard(None)  # an index: not in the synthetic accounts
        # The scanned ones cost a DescribeImageScanFindings each (their findings
        # fit one page of 1000 in the synthetic accounts); never-scanned ones none.
        listed = ecr.describe_images(repositoryName=repository, imageIds=[{"imageDigest": d} for d in sorted(digests)])
        scanned = sum(1 for detail in listed["imageDetails"] if detail.get("imageScanFindingsSummary")
                      or (detail.get("imageScanStatus") or {}).get("status") in ("COMPLETE", "ACTIVE"))
        named_images.setdefault(ecr_region, []).append(
            {"selectors": len(selectors), "configs": len(configs), "scanned": scanned})
    iam = client("iam", regions[0], endpoint, creds)
    attached = {
        scope: len(everything(iam.list_policies, "Policies", "Marker", "Marker", Scope=scope, OnlyAttached=True))
        for scope in ("Local", "AWS")
    }
    return {
        "regions": per_region,
        "named_images": named_images,
        "attached_policies": attached,
        "virtual_mfa_devices": len(everything(iam.list_virtual_mfa_devices, "VirtualMFADevices", "Marker", "Marker")),
        "users": len(everything(iam.list_users, "Users", "Marker", "Marker")),
    }


def pages(count: int, page_size: int) -> int:
    """A paginated list costs one call even when empty."""
    return max(1, math.ceil(count / page_size))


def batches(count: int, batch_size: int) -> int:
    return math.ceil(count / batch_size)


def minimum_calls(account: dict, regions: list[str]) -> Counter:
    """The fewest calls that fetch what the checks need, per service:operation.

    One paginated list per account and region at the API's largest page;
    batch calls at the API's largest batch where one exists; one call per
    item only where the API has nothing else (repository and lifecycle
    policies, the latest task definition of a family, a policy document).
    """
    calls: Counter = Counter()
    calls["sts:GetCallerIdentity"] += 1
    calls["ec2:DescribeRegions"] += 1
    trails = set()
    for region in regions:
        r = account["regions"][region]
        calls["ec2:DescribeSecurityGroups"] += pages(r["security_groups"], 1000)
        calls["ec2:DescribeNetworkAcls"] += pages(r["network_acls"], 1000)
        calls["ec2:DescribeNetworkInterfaces"] += pages(r["network_interfaces"], 1000)
        calls["ecr:DescribeRepositories"] += pages(r["repositories"], 1000)
        calls["ecr:BatchGetRepositoryScanningConfiguration"] += batches(r["repositories"], 100)
        calls["ecr:GetRegistryScanningConfiguration"] += 1
        calls["ecr:GetRegistryPolicy"] += 1
        # The synthetic accounts configure no managed signing, so no
        # DescribeImageSigningStatus for any image.
        calls["ecr:GetSigningConfiguration"] += 1
        calls["ecr:GetRepositoryPolicy"] += r["repositories"]
        calls["ecr:GetLifecyclePolicy"] += r["repositories"]
        calls["ecr:DescribeImages"] += sum(pages(images, 1000) for images in r["images"])
        calls["ecs:ListClusters"] += pages(r["clusters"], 100)
        calls["ecs:DescribeClusters"] += batches(r["clusters"], 100)
        calls["ecs:ListServices"] += sum(pages(count, 100) for count in r["services"])
        calls["ecs:DescribeServices"] += sum(batches(count, 10) for count in r["services"])
        calls["ecs:ListTasks"] += sum(pages(count, 100) for count in r["tasks"])
        calls["ecs:DescribeTasks"] += sum(batches(count, 100) for count in r["tasks"])
        calls["ecs:ListTaskDefinitionFamilies"] += pages(r["families"], 100)
        calls["ecs:DescribeTaskDefinition"] += r["families"] + r["in_use_not_latest"]
        calls["cloudtrail:DescribeTrails"] += 1
        trails.update(r["trails"])
        calls["elasticloadbalancing:DescribeLoadBalancers"] += pages(r.get("load_balancers", 0), 400)
        calls["elasticloadbalancing:DescribeTargetGroups"] += pages(r.get("target_groups", 0), 400)
        # Internal load balancers cannot be reached from the internet: their listeners are not read.
        calls["elasticloadbalancing:DescribeListeners"] += r.get("internet_facing_load_balancers", 0)
    # One BatchGetImage per 100 distinct references per repository (the
    # synthetic images are single manifests, so no second round for an
    # index's platform manifest), one config blob per distinct config.
    for repositories in account.get("named_images", {}).values():
        for named in repositories:
            calls["ecr:BatchGetImage"] += batches(named["selectors"], 100)
            calls["ecr:GetDownloadUrlForLayer"] += named["configs"]
            calls["ecr:GetDownloadUrlForLayer (GET)"] += named["configs"]
            calls["ecr:DescribeImageScanFindings"] += named.get("scanned", 0)
    calls["cloudtrail:GetTrailStatus"] += len(trails)
    calls["cloudtrail:GetEventSelectors"] += len(trails)
    calls["iam:GetAccountSummary"] += 1
    calls["iam:ListAccountAliases"] += 1
    calls["iam:GetAccountPasswordPolicy"] += 1
    calls["iam:GenerateCredentialReport"] += 1
    calls["iam:GetCredentialReport"] += 1
    calls["iam:ListVirtualMFADevices"] += pages(account["virtual_mfa_devices"], 1000)
    for scope in ("Local", "AWS"):
        calls["iam:ListPolicies"] += pages(account["attached_policies"][scope], 1000)
        calls["iam:GetPolicyVersion"] += account["attached_policies"][scope]
    return +calls


def parse_time(stderr: str) -> dict:
    def field(name: str) -> str:
        match = re.search(rf"^\s*{re.escape(name)}: (.+)$", stderr, re.MULTILINE)
        if not match:
            raise RuntimeError(f"/usr/bin/time gave no {name!r}:\n{stderr[-2000:]}")
        return match.group(1).strip()

    clock = [float(part) for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    wall = sum(value * 60 ** power for power, value in enumerate(reversed(clock)))
    return {
        "wall_s": wall,
        "cpu_s": float(field("User time (seconds)")) + float(field("System time (seconds)")),
        "peak_rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
    }


def scan_env(creds: dict, home: Path) -> dict:
    """A scanner's environment: these credentials and nothing of this machine's AWS configuration."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": creds["access_key_id"],
        "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"],
        "AWS_SESSION_TOKEN": creds["session_token"],
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def scan(binary: Path, endpoint: str, creds: dict, regions: list[str], out_dir: Path, extra: list[str],
         exits: tuple[int, ...] = (0, 3)) -> dict:
    env = scan_env(creds, out_dir)
    command = [
        "/usr/bin/time", "-v", str(binary), "scan", "--endpoint-url", endpoint, "--region", regions[0],
        "--regions", ",".join(regions), "--output-dir", str(out_dir), "--output-name", "bench",
        "--output-formats", "json", "--quiet", *extra,
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode not in exits:
        raise RuntimeError(f"scan exited {result.returncode}:\n{result.stderr[-3000:]}")
    report = json.loads((out_dir / "bench.json").read_text())
    stats = report["scan"]["stats"]
    by_operation: Counter = Counter()
    for op in stats["operations"]:
        by_operation[f"{op['service']}:{op['operation']}"] += op["calls"]
    return {
        **parse_time(result.stderr),
        "exit": result.returncode,
        "findings": len(report["findings"]),
        "errors": len(report["scan"]["errors"]),
        "calls": stats["calls"],
        "retries": stats["retries"],
        "throttles": stats["throttles"],
        "critical_path_depth": stats["critical_path_depth"],
        "calls_by_operation": dict(sorted(by_operation.items())),
    }


def spread(runs: list[dict], key: str) -> dict:
    values = [run[key] for run in runs]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarize(runs: list[dict]) -> dict:
    last = runs[-1]
    return {
        "runs": len(runs),
        "wall_s": spread(runs, "wall_s"),
        "cpu_s": spread(runs, "cpu_s"),
        "peak_rss_mb": spread(runs, "peak_rss_mb"),
        "cpu_share": statistics.median(run["cpu_s"] / run["wall_s"] for run in runs),
        "findings": sorted({run["findings"] for run in runs}),
        "errors": max(run["errors"] for run in runs),
        "calls": sorted({run["calls"] for run in runs}),
        "retries": max(run["retries"] for run in runs),
        "critical_path_depth": sorted({run["critical_path_depth"] for run in runs}),
        "calls_by_operation": last["calls_by_operation"],
    }


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    moto = subprocess.run([PYTHON, "-c", "import moto; print(moto.__version__)"], capture_output=True,
                          text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024),
        "os": f"{platform.system()} {platform.release()}", "rustc": rustc, "moto": moto,
        "python": platform.python_version(), "commit": commit,
    }


def fmt_spread(spread: dict, unit: str = "", digits: int = 1) -> str:
    return f"{spread['median']:.{digits}f}{unit} ({spread['min']:.{digits}f}–{spread['max']:.{digits}f})"


def table(results: list[dict], info: dict, command: str) -> str:
    lines = [
        BEGIN,
        "",
        f"Measured {info['date']} on {info['machine']['cpu']}, {info['machine']['cores']} cores, "
        f"{info['machine']['memory_gib']} GiB, {info['machine']['os']}; {info['machine']['rustc']}, "
        f"moto {info['machine']['moto']}, Python {info['machine']['python']}; bulkhead at {info['machine']['commit']}.",
        "",
        f"Command: `{command}`. Each point: one warm-up scan, then {info['runs']} measured; "
        "median (min–max). CPU is bulkhead's own user+sys; RSS its peak.",
        "",
        "| scale | regions | latency | wall s | CPU s | CPU/wall | peak RSS MB | findings | calls | minimum | "
        "critical path | wall ÷ (path × latency) |",
        "|---:|---:|---:|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for point in results:
        s = point["summary"]
        depth = max(s["critical_path_depth"])
        bound = f"{s['wall_s']['median'] / (depth * point['latency_ms'] / 1000):.2f}" if point["latency_ms"] else "–"
        calls = "/".join(str(c) for c in s["calls"])
        lines.append(
            f"| {point['scale']} | {point['regions']} | {point['latency_ms']} ms | {fmt_spread(s['wall_s'])} | "
            f"{fmt_spread(s['cpu_s'], digits=2)} | {s['cpu_share'] * 100:.1f}% | {fmt_spread(s['peak_rss_mb'])} | "
            f"{'/'.join(str(f) for f in s['findings'])} | {calls} | {point['minimum']} | {depth} | {bound} |"
        )
    lines += ["", "Calls against the minimum, per operation, where they differ:", ""]
    differing = False
    for point in results:
        if point["latency_ms"]:
            continue
        measured = Counter(point["summary"]["calls_by_operation"])
        minimum = Counter(point["minimum_by_operation"])
        for operation in sorted(set(measured) | set(minimum)):
            if measured[operation] != minimum[operation]:
                differing = True
                lines.append(f"- scale {point['scale']}, {point['regions']} region(s): {operation} "
                             f"{measured[operation]} calls, minimum {minimum[operation]}")
    if not differing:
        lines.append("- none: at every point each operation made exactly its minimum number of calls.")
    lines += ["", END]
    return "\n".join(lines)


def write_doc(section: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace what lies between begin and end in docs/performance.md (the markers included) by section."""
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else "# Performance\n"
    if begin not in text or end not in text:
        text += f"\n{begin}\n{end}\n"
    before, rest = text.split(begin, 1)
    after = rest.split(end, 1)[1]
    doc.write_text(before + section + after)


def main(argv: list[str] | None = None) -> int:
    given = argv if argv is not None else sys.argv[1:]
    if "--adaptive" in given:
        from adaptive import main as adaptive_main  # noqa: PLC0415 (only this mode needs it)

        return adaptive_main([arg for arg in given if arg != "--adaptive"])
    if "--vs-prowler" in given:
        from vs_prowler import main as vs_prowler_main  # noqa: PLC0415 (only this mode needs it)

        return vs_prowler_main([arg for arg in given if arg != "--vs-prowler"])
    parser = argparse.ArgumentParser(
        description="bulkhead's performance benchmark (run it through bench/run)",
        epilog="--vs-prowler: bulkhead against Prowler instead (bench/vs_prowler.py; --vs-prowler --help for its flags); "
        "--adaptive: adaptive per-endpoint concurrency under latency and rate limits (bench/adaptive.py)",
    )
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--scales", default="1,10,50")
    parser.add_argument("--regions", default="1,3,17", help="region counts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=100, help="latency mode's added latency; 0: no latency mode")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument("--scan-arg", action="append", default=[],
                        help="an extra argument for every scan (repeat it), e.g. --scan-arg=--max-concurrency=32")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    region_counts = [int(r) for r in args.regions.split(",")]
    if max(region_counts) > len(REGIONS):
        parser.error(f"at most {len(REGIONS)} regions")
    latencies = [0] + ([args.latency_ms] if args.latency_ms else [])
    options = [arg for arg in given if arg not in ("--binary", str(args.binary))]
    command = " ".join(["bench/run", *options])

    results = []
    accounts = {}  # scale -> what was seeded, counted once per scale
    work = Path(tempfile.mkdtemp(prefix="bulkhead-bench-"))
    for scale in scales:
        emulator = Emulator()
        try:
            seeded_regions = REGIONS[: max(region_counts)]
            creds = seed(emulator.endpoint, scale, seeded_regions, account=f"2100000{scale:05d}")
            account = census(emulator.endpoint, creds, seeded_regions)
            accounts[str(scale)] = account
            log(f"scale {scale}: {account['users']} IAM users; per region "
                + json.dumps({k: (sum(v) if isinstance(v, list) and v and isinstance(v[0], int) else v)
                              for k, v in account["regions"][seeded_regions[0]].items() if k != "trails"}))
            for count in region_counts:
                regions = REGIONS[:count]
                minimum = minimum_calls(account, regions)
                for latency in latencies:
                    proxy = LatencyProxy(emulator.endpoint, latency) if latency else None
                    endpoint = proxy.endpoint if proxy else emulator.endpoint
                    try:
                        scan(args.binary, endpoint, creds, regions, work, args.scan_arg)  # warm-up
                        runs = [scan(args.binary, endpoint, creds, regions, work, args.scan_arg)
                                for _ in range(args.runs)]
                    finally:
                        if proxy:
                            proxy.stop()
                    summary = summarize(runs)
                    results.append({
                        "scale": scale, "regions": count, "latency_ms": latency, "summary": summary, "runs": runs,
                        "minimum": sum(minimum.values()), "minimum_by_operation": dict(sorted(minimum.items())),
                    })
                    log(f"scale {scale}, {count} region(s), latency {latency} ms: wall "
                        f"{fmt_spread(summary['wall_s'], ' s')}, cpu {fmt_spread(summary['cpu_s'], ' s', 2)}, "
                        f"rss {fmt_spread(summary['peak_rss_mb'], ' MB')}, calls {summary['calls']} "
                        f"(minimum {sum(minimum.values())}), depth {summary['critical_path_depth']}")
        finally:
            emulator.stop()
    shutil.rmtree(work, ignore_errors=True)

    info = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "runs": args.runs}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"info": info, "command": command, "accounts": accounts, "results": results}, indent=1))
    section = table(results, info, command)
    print(section)
    if not args.no_doc:
        write_doc(section)
        log("wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
