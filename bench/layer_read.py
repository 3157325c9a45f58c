"""The layer reader against the decompression limit. Run it through
bench/run --layers, which builds the release binary and installs the
emulator first.

A layer is built from this machine's own files (a tar of --source, default
/usr/share and /usr/lib, cut at --tar-mib of tar, gzip -6): real text, real
binaries, real file counts. It is pushed to the emulator as the only layer
of one image (localstack/server.py keeps a file as a blob and streams it),
and then, --runs times each, in turns:

- `gzip -dc LAYER > /dev/null`: the decompression limit on this machine;
- `bulkhead image REFERENCE`: every image check on that image, which
  fetches the layer through GetDownloadUrlForLayer and the download URL,
  verifies its digest, decompresses it, walks its tar entries and scans
  its text files for secrets.

Both under /usr/bin/time -v: wall, CPU, peak RSS. The same image with a
small layer (--small-mib of tar) gives the peak RSS a layer's size adds.
Raw results go to bench/results/layer-read-latest.json; the table replaces
the part of docs/performance.md between the layer-read markers unless
--no-doc.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import (LOCALSTACK, PYTHON, ROOT, Emulator, client, fmt_spread, machine, parse_time, scan_env,
                   write_doc)

BEGIN, END = "<!-- layer-read:begin -->", "<!-- layer-read:end -->"
REGION = "eu-west-1"
EMPTY_ACCOUNT = "regions:\n  eu-west-1: {}\n"


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def build_layer(sources: list[str], tar_mib: int, out: Path) -> dict:
    """A gzip layer of the regular files under `sources`, up to `tar_mib` of tar."""
    limit = tar_mib << 20
    tar_path = out.with_suffix("")
    written = files = 0
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
        for source in sources:
            for folder, dirs, names in os.walk(source):
                dirs.sort()
                for name in sorted(names):
                    path = os.path.join(folder, name)
                    if not os.path.isfile(path) or os.path.islink(path):
                        continue
                    size = os.path.getsize(path)
                    if written + size + 1024 > limit:
                        continue
                    try:
                        tar.add(path, arcname=path.lstrip("/"), recursive=False)
                    except OSError:
                        continue
                    written += size + 512
                    files += 1
                if written >= limit * 0.99:
                    break
    tar_bytes = tar_path.stat().st_size
    diff_id = sha256_file(tar_path)
    # gzip replaces NAME.tar with NAME.tar.gz, which is `out`.
    subprocess.run(["gzip", "-6", "-n", "-f", str(tar_path)], check=True)
    return {"path": str(out), "files": files, "tar_bytes": tar_bytes, "gzip_bytes": out.stat().st_size,
            "digest": "sha256:" + sha256_file(out), "diff_id": "sha256:" + diff_id}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def seed_account(endpoint: str, account: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as file:
        file.write(EMPTY_ACCOUNT)
    try:
        out = subprocess.run([PYTHON, LOCALSTACK / "seed.py", "--endpoint", endpoint, "--account", account,
                              file.name], check=True, capture_output=True, text=True)
    finally:
        os.unlink(file.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def push_image(endpoint: str, creds: dict, account: str, repository: str, layer: dict) -> str:
    """Pushes an image whose one layer is `layer`'s file; its reference by digest."""
    ecr = client("ecr", REGION, endpoint, creds)
    ecr.create_repository(repositoryName=repository)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": {"User": "65532"},
        "rootfs": {"type": "layers", "diff_ids": [layer["diff_id"]]},
        "history": [{"created_by": "COPY files / # buildkit"}],
    }).encode()
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    upload = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(repositoryName=repository, uploadId=upload, partFirstByte=0,
                          partLastByte=len(config) - 1, layerPartBlob=config)
    ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[config_digest])
    control = json.dumps({"account": account, "region": REGION, "repository": repository,
                          "digest": layer["digest"], "path": layer["path"]}).encode()
    request = urllib.request.Request(f"{endpoint}/_bulkhead/ecr-blob-file", data=control, method="POST")
    urllib.request.urlopen(request, timeout=30).read()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config),
                   "digest": config_digest},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": layer["gzip_bytes"],
                    "digest": layer["digest"]}],
    })
    pushed = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="bench",
                           imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")
    digest = pushed["image"]["imageId"]["imageDigest"]
    return f"{account}.dkr.ecr.{REGION}.amazonaws.com/{repository}@{digest}"


def timed(command: list[str], env: dict | None = None, exits: tuple[int, ...] = (0,)) -> dict:
    result = subprocess.run(["/usr/bin/time", "-v", *command], env=env, capture_output=True, text=True)
    if result.returncode not in exits:
        raise RuntimeError(f"{command[0]} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return {**parse_time(result.stderr), "exit": result.returncode, "stderr": result.stderr}


def gunzip(layer: dict) -> dict:
    run = timed(["sh", "-c", f"gzip -dc '{layer['path']}' > /dev/null"])
    run.pop("stderr")
    return run


def audit(binary: Path, endpoint: str, creds: dict, reference: str, out_dir: Path) -> dict:
    env = scan_env(creds, out_dir)
    run = timed([str(binary), "image", reference, "--endpoint-url", endpoint, "--output-dir", str(out_dir),
                 "--output-formats", "json", "--quiet", "--stats"], env=env, exits=(0, 3))
    run.pop("stderr")
    report = json.loads((out_dir / "bulkhead.json").read_text())
    layer_gets = sum(op["calls"] for op in report["scan"]["stats"]["operations"]
                     if op["operation"] == "GetDownloadUrlForLayer (layer GET)")
    verdicts = {finding["check_id"]: finding["status"] for finding in report["findings"]}
    run.update({"layer_gets": layer_gets, "errors": len(report["scan"]["errors"]), "verdicts": verdicts})
    return run


def summary(runs: list[dict], key: str) -> dict:
    values = [run[key] for run in runs]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def table(results: dict, info: dict, command: str) -> str:
    big = results["layers"]["big"]
    small = results["layers"]["small"]
    gz, bh, bh_small = results["gzip"], results["bulkhead"], results["bulkhead_small"]
    ratio = bh["wall_s"]["median"] / gz["wall_s"]["median"]
    mb = 1 << 20
    lines = [
        BEGIN,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
        f"{info['os']}; bulkhead at {info['commit']}, **release build**; moto {info['moto']}.",
        "",
        f"Command: `{command}`. The layer: {big['files']:,} files of this machine's /usr "
        f"({big['tar_bytes'] / mb:,.0f} MiB of tar, {big['gzip_bytes'] / mb:,.0f} MiB gzip -6), the only layer of "
        f"one image in the emulator, streamed from disk by server.py; {results['runs']} runs each, in turns, "
        "median (min–max).",
        "",
        "| what | wall s | CPU s | MiB/s of gzip in | MiB/s of tar out | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for name, run, layer in (("`gzip -dc` of the layer", gz, big), ("`bulkhead image` (the whole audit)", bh, big)):
        wall = run["wall_s"]["median"]
        lines.append(
            f"| {name} | {fmt_spread(run['wall_s'])} | {fmt_spread(run['cpu_s'])} | {layer['gzip_bytes'] / mb / wall:,.0f} | "
            f"{layer['tar_bytes'] / mb / wall:,.0f} | {fmt_spread(run['peak_rss_mb'])} |")
    wall = bh_small["wall_s"]["median"]
    lines.append(
        f"| `bulkhead image` of a small layer ({small['tar_bytes'] / mb:,.0f} MiB of tar, {small['files']:,} files) | "
        f"{fmt_spread(bh_small['wall_s'])} | {fmt_spread(bh_small['cpu_s'])} | {small['gzip_bytes'] / mb / wall:,.0f} | "
        f"{small['tar_bytes'] / mb / wall:,.0f} | {fmt_spread(bh_small['peak_rss_mb'])} |")
    added = bh["peak_rss_mb"]["median"] - bh_small["peak_rss_mb"]["median"]
    lines += [
        "",
        f"bulkhead takes {ratio:.2f}× the wall time of `gzip -dc` on the same layer (the target: within 1.5×), "
        f"including the emulator's calls, the HTTP transfer, the digest, the tar walk and the secret rules. "
        f"The {big['tar_bytes'] / mb:,.0f} MiB layer's peak RSS is {added:+.1f} MB against the "
        f"{small['tar_bytes'] / mb:,.0f} MiB one's (the target: under 20 MB for a 1 GB layer). "
        f"Layer GETs per audit: {results['layer_gets']} (one per distinct layer); verdicts (the image is "
        "unsigned and was never scanned): "
        + ", ".join(f"{check} {status}" for check, status in sorted(results["verdicts"].items())) + ".",
        "",
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--source", action="append", default=None)
    parser.add_argument("--tar-mib", type=int, default=1400)
    parser.add_argument("--small-mib", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=None, help="where the layers are built (default a temp dir)")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    sources = args.source or ["/usr/share", "/usr/lib"]
    account = "111111111111"
    with tempfile.TemporaryDirectory(dir=args.work_dir) as work:
        work = Path(work)
        layers = {}
        for name, mib in (("big", args.tar_mib), ("small", args.small_mib)):
            started = time.monotonic()
            layers[name] = build_layer(sources, mib, work / f"{name}.tar.gz")
            log(f"{name} layer: {layers[name]['files']} files, {layers[name]['gzip_bytes'] >> 20} MiB gzip "
                f"({time.monotonic() - started:.0f} s)")
        emulator = Emulator()
        try:
            creds = seed_account(emulator.endpoint, account)
            references = {name: push_image(emulator.endpoint, creds, account, f"layer-{name}", layer)
                          for name, layer in layers.items()}
            gz, bh, bh_small = [], [], []
            # One warm-up of each, then the measured runs in turns.
            audit(args.binary, emulator.endpoint, creds, references["big"], work)
            gunzip(layers["big"])
            for run in range(args.runs):
                gz.append(gunzip(layers["big"]))
                bh.append(audit(args.binary, emulator.endpoint, creds, references["big"], work))
                bh_small.append(audit(args.binary, emulator.endpoint, creds, references["small"], work))
                log(f"run {run + 1}: gzip {gz[-1]['wall_s']:.1f} s, bulkhead {bh[-1]['wall_s']:.1f} s "
                    f"({bh[-1]['peak_rss_mb']:.1f} MB; small layer {bh_small[-1]['peak_rss_mb']:.1f} MB)")
        finally:
            emulator.stop()
    results = {
        "machine": machine(), "runs": args.runs, "layers": layers,
        "gzip": {key: summary(gz, key) for key in ("wall_s", "cpu_s", "peak_rss_mb")},
        "bulkhead": {key: summary(bh, key) for key in ("wall_s", "cpu_s", "peak_rss_mb")},
        "bulkhead_small": {key: summary(bh_small, key) for key in ("wall_s", "cpu_s", "peak_rss_mb")},
        "layer_gets": bh[-1]["layer_gets"], "errors": bh[-1]["errors"], "verdicts": bh[-1]["verdicts"],
        "raw": {"gzip": gz, "bulkhead": bh, "bulkhead_small": bh_small},
    }
    out = ROOT / "bench" / "results" / "layer-read-latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    given = argv if argv is not None else sys.argv[1:]
    shown = [arg for i, arg in enumerate(given) if arg != "--binary" and (i == 0 or given[i - 1] != "--binary")]
    command = " ".join(["bench/run --layers", *shown])
    section = table(results, results["machine"], command)
    print(section)
    if not args.no_doc:
        write_doc(section, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
