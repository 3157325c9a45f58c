#!/usr/bin/env python3
"""Secrets in ECR image layers: bulkhead against Prowler, image by image, on the emulator.

    bench/image_secrets_vs_prowler.py [--bulkhead PATH] [--runs 3] [--big-mib 120] [--modes stock,ecr-artifact-type]

What it measures: Prowler's `ecr_repository_image_no_secrets` (the pinned
Prowler of bench/prowler-requirements.txt, in bench/.prowler-venv: run
bench/install-prowler first) and bulkhead's `ecr_images_no_secrets_in_layers`
on the same seeded images, each image alone in its own repository (Prowler
judges only the most recently pushed image of a repository) and named by a
task definition (bulkhead judges only images in use). Per image: each tool's
status (PASS / FAIL / MANUAL / ERROR, or "-" for no finding) and its message;
per tool: wall time, user+sys CPU and peak RSS (/usr/bin/time -v) of a
warm-up run and then --runs measured runs, alternating Prowler then bulkhead,
reported as the median and range. It also checks that no planted secret
value appears in either tool's report or log.

The images (a small base layer, then one layer unless said; the tokens and
keys are random from --seed, the RSA key is new on each run; none is ever printed):

- aws-credentials: root/.aws/credentials with an access key id and secret key
- private-key: root/.ssh/id_rsa, a real RSA private key (openssl genrsa)
- github-token: app/config.txt holding a GitHub token (ghp_, valid checksum)
- deleted-secret: layer 2 adds root/.aws/credentials, layer 3 deletes it (a
  whiteout): gone from the running file system, still shipped in layer 2
- example-key: root/.aws/credentials with AWS's documented example key pair
  (AKIAIOSFODNN7EXAMPLE): not a secret
- clean: application files only
- big-layer (--big-mib, 0 leaves it out): only one gzip layer of --big-mib MiB of
  random (incompressible) bytes plus a root/.aws/credentials file, over
  Prowler's 100 MB-per-layer cap; pushed with localstack/push_image.py

Emulator modes (--modes): each starts its own emulator (localstack/server.py,
the one `localstack/start` runs) on a free port, seeds one account and runs
both tools against it.

- stock: server.py as it is. Its DescribeImages leaves out
  `artifactMediaType` (a moto 5.2.5 gap localstack/README.md keeps on
  purpose), and Prowler's ECR service treats an image without one as not
  scannable (ECR._is_artifact_scannable), so its check finds no image to judge.
- ecr-artifact-type: server.py plus one addition made here, not in server.py:
  DescribeImages reports `artifactMediaType` = the manifest's
  config.mediaType, as real ECR does for an image. Nothing else changes.

Output: bench/results/image-secrets-vs-prowler-latest.json (raw runs, per
image verdicts and messages) and a Markdown summary on stdout. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALSTACK = ROOT / "localstack"
PYTHON = LOCALSTACK / ".venv" / "bin" / "python"

# Run under the emulator's venv (boto3, the seeder's pins); localstack/install makes it.
if Path(sys.prefix).resolve() != (LOCALSTACK / ".venv").resolve():
    subprocess.run([LOCALSTACK / "install"], check=True, stdout=subprocess.DEVNULL)
    os.execv(PYTHON, [str(PYTHON), __file__, *sys.argv[1:]])

import boto3  # noqa: E402
PROWLER = ROOT / "bench" / ".prowler-venv" / "bin" / "prowler"
DEFAULT_BULKHEAD = Path("/root/.cache/bulkhead/target-lead/release/bulkhead")
RESULTS = ROOT / "bench" / "results" / "image-secrets-vs-prowler-latest.json"
REGION = "eu-west-1"
ACCOUNT = "210000077001"
PROWLER_CHECK = "ecr_repository_image_no_secrets"
BULKHEAD_CHECK = "ecr_images_no_secrets_in_layers"
IMAGE_PREFIX = "secrets-"  # every repository's name: secrets-<case>
MODES = ("stock", "ecr-artifact-type")

# Runs localstack/server.py in-process; with "ecr-artifact-type" it also makes
# DescribeImages report artifactMediaType (moto's serializer picks the
# snake_case attribute up, as server.py's subject_manifest_digest).
EMULATOR_BOOTSTRAP = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import server
mode = sys.argv[2]
if mode == "ecr-artifact-type":
    apply_patches = server.apply_patches
    def _artifact_media_type(self):
        try:
            manifest = json.loads(self.image_manifest)
        except Exception:
            return None
        return (manifest.get("config") or {}).get("mediaType")
    def patched():
        apply_patches()
        from moto.ecr.models import Image
        Image.artifact_media_type = property(_artifact_media_type)
    server.apply_patches = patched
server.main(sys.argv[3:])
"""


def log(message: str) -> None:
    print(f"image_secrets_vs_prowler: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------ secrets --

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token(rng: random.Random) -> str:
    """A classic personal access token: ghp_, 30 random base62 characters, then
    the base62 CRC32 of those 30, zero-padded to 6 (GitHub's token format)."""
    body = "".join(rng.choice(BASE62) for _ in range(30))
    crc, digits = zlib.crc32(body.encode()), ""
    while crc:
        crc, rest = divmod(crc, 62)
        digits = BASE62[rest] + digits
    return "ghp_" + body + digits.rjust(6, "0")


def aws_key_pair(rng: random.Random) -> tuple[str, str]:
    key_id = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    secret = "".join(rng.choice(BASE62 + "+/") for _ in range(40))
    return key_id, secret


def rsa_private_key() -> str:
    out = subprocess.run(["openssl", "genrsa", "2048"], check=True, capture_output=True, text=True).stdout
    if "PRIVATE KEY-----" not in out:
        raise RuntimeError("openssl genrsa printed no private key")
    return out


def credentials_file(key_id: str, secret: str) -> str:
    return f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"


def planted_images(seed: int) -> tuple[list[dict], list[str]]:
    """The fixture's images (one repository each) and the planted secret values."""
    rng = random.Random(seed)
    key_id, secret = aws_key_pair(rng)
    deleted_key_id, deleted_secret = aws_key_pair(rng)
    token = github_token(rng)
    private_key = rsa_private_key()
    base = {"files": {"etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
                      "app/server.py": "print('hello')\n"}}
    images = [
        {"case": "aws-credentials", "what": "AWS credentials file (root/.aws/credentials)", "expect": "FAIL",
         "layers": [base, {"files": {"root/.aws/credentials": credentials_file(key_id, secret)}}]},
        {"case": "private-key", "what": "RSA private key (root/.ssh/id_rsa)", "expect": "FAIL",
         "layers": [base, {"files": {"root/.ssh/id_rsa": private_key}}]},
        {"case": "github-token", "what": "GitHub token in a text file (app/config.txt)", "expect": "FAIL",
         "layers": [base, {"files": {"app/config.txt": f"# deploy settings\nrepo = acme/app\ntoken = {token}\n"}}]},
        {"case": "deleted-secret", "what": "credentials file added in layer 2, deleted (whiteout) in layer 3",
         "expect": "FAIL",
         "layers": [base, {"files": {"root/.aws/credentials": credentials_file(deleted_key_id, deleted_secret)}},
                    {"delete": ["root/.aws/credentials"]}]},
        {"case": "example-key", "what": "AWS's documented example key pair (not a secret)", "expect": "PASS",
         "layers": [base, {"files": {"root/.aws/credentials": credentials_file(
             "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")}}]},
        {"case": "clean", "what": "no secret", "expect": "PASS",
         "layers": [base, {"files": {"app/requirements.txt": "flask==3.0.0\n", "app/.npmrc":
                                     "registry=https://registry.npmjs.org/\n"}}]},
    ]
    planted = [key_id, secret, deleted_key_id, deleted_secret, token]
    planted += [line for line in private_key.splitlines() if "-----" not in line][:3]
    return images, planted


def fixture(images: list[dict]) -> dict:
    repositories, task_definitions = [], []
    for image in images:
        name = IMAGE_PREFIX + image["case"]
        repositories.append({"name": name, "images": [{"tag": "v1", "config": {"user": "app"},
                                                       "layers": image["layers"]}]})
        task_definitions.append({"family": name, "containers": [
            {"name": "app", "image": "{account}.dkr.ecr.{region}.amazonaws.com/" + name + ":v1"}]})
    return {"regions": {REGION: {"ecr_repositories": repositories, "ecs_task_definitions": task_definitions}}}


# ------------------------------------------------------- big image --

def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def big_layout(directory: Path, mib: int, seed: int) -> tuple[list[str], int]:
    """An OCI layout of one image: one gzip layer of `mib` MiB of random bytes and
    a credentials file. Returns the planted values and the layer's compressed size."""
    rng = random.Random(seed + 1)
    key_id, secret = aws_key_pair(rng)
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        entries = [("opt/data/blob.bin", rng.randbytes(mib * 1024 * 1024)),
                   ("root/.aws/credentials", credentials_file(key_id, secret).encode())]
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
    tar_bytes = tar.getvalue()
    layer = gzip.compress(tar_bytes, compresslevel=1, mtime=0)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
        "config": {"User": "app"},
        "rootfs": {"type": "layers", "diff_ids": [sha256(tar_bytes)]},
        "history": [{"created_by": "COPY data/ / # buildkit"}],
    }, separators=(",", ":")).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha256(layer),
                    "size": len(layer)}],
    }, separators=(",", ":")).encode()
    blobs = directory / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    for blob in (layer, config, manifest):
        (blobs / hashlib.sha256(blob).hexdigest()).write_bytes(blob)
    (directory / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (directory / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(manifest),
         "size": len(manifest)}]}))
    log(f"big-layer: one gzip layer of {len(layer) / 1024 / 1024:.1f} MiB compressed")
    return [key_id, secret], len(layer)


# ------------------------------------------------------- emulator --

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self, mode: str, work: Path) -> None:
        subprocess.run([LOCALSTACK / "install"], check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log_path = work / f"emulator-{mode}.log"
        with self.log_path.open("w") as log_file:
            self.process = subprocess.Popen(
                [PYTHON, "-c", EMULATOR_BOOTSTRAP, str(LOCALSTACK), mode, "--host", "127.0.0.1", "--port", str(port)],
                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the emulator exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator did not answer within 60 s")
            time.sleep(0.2)
        log(f"emulator ({mode}) on {self.endpoint}, pid {self.process.pid}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def seed_account(endpoint: str, images: list[dict], big_mib: int, seed: int, work: Path) -> tuple[dict, list[str], dict]:
    """Seeds the account; returns the scan credentials, the big image's planted values and its facts."""
    fixture_path = work / "fixture.json"  # JSON is YAML
    fixture_path.write_text(json.dumps(fixture(images), indent=1))
    started = time.monotonic()
    out = subprocess.run([PYTHON, LOCALSTACK / "seed.py", "--endpoint", endpoint, "--account", ACCOUNT,
                          str(fixture_path)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"seed.py exited {out.returncode}:\n{out.stderr[-3000:]}")
    creds = json.loads(out.stdout.strip().splitlines()[-1])
    log(f"seeded {len(images)} images in {time.monotonic() - started:.1f} s")
    if not big_mib:
        return creds, [], {}
    started = time.monotonic()
    seeder = boto3.client("sts", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="test",
                          aws_secret_access_key="test").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/bulkhead-seed", RoleSessionName="bench")["Credentials"]
    layout = work / "big-layout"
    shutil.rmtree(layout, ignore_errors=True)
    planted, layer_size = big_layout(layout, big_mib, seed)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
           "AWS_ACCESS_KEY_ID": seeder["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": seeder["SecretAccessKey"],
           "AWS_SESSION_TOKEN": seeder["SessionToken"], "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}
    name = IMAGE_PREFIX + "big-layer"
    out = subprocess.run([PYTHON, LOCALSTACK / "push_image.py", "--endpoint", endpoint, "--region", REGION,
                          "--repository", name, "--tag", "v1", "--family", name, str(layout)],
                         env=env, capture_output=True, text=True)
    shutil.rmtree(layout, ignore_errors=True)
    if out.returncode != 0:
        raise RuntimeError(f"push_image.py exited {out.returncode}:\n{out.stderr[-3000:]}")
    log(f"pushed big-layer in {time.monotonic() - started:.1f} s")
    return creds, planted, {"layer_bytes": layer_size}


# ------------------------------------------------------------ tools --

def scan_env(creds: dict, home: Path) -> dict:
    """A scanner's environment: these credentials and nothing of this machine's AWS configuration."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
        "AWS_ACCESS_KEY_ID": creds["access_key_id"], "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"],
        "AWS_SESSION_TOKEN": creds["session_token"], "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
    }


def parse_time(text: str) -> dict:
    fields = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition(": ")
        fields[name] = value
    clock = [float(part) for part in fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")]
    return {
        "wall_s": sum(value * 60 ** power for power, value in enumerate(reversed(clock))),
        "cpu_s": float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]),
        "peak_rss_mb": int(fields["Maximum resident set size (kbytes)"]) / 1024,
    }


def case_of(text: str) -> str | None:
    """The case of the repository a resource id or ARN names."""
    for part in text.replace("@", "/").replace(":", "/").split("/"):
        if part.startswith(IMAGE_PREFIX):
            return part[len(IMAGE_PREFIX):]
    return None


def run_prowler(endpoint: str, creds: dict, work: Path) -> dict:
    out_dir = work / "prowler-out"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    env = {**scan_env(creds, out_dir), "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": REGION}
    time_file = out_dir / "time.txt"
    command = ["/usr/bin/time", "-v", "-o", str(time_file), str(PROWLER), "aws", "--checks", PROWLER_CHECK,
               "--region", REGION, "--output-formats", "json-ocsf", "--output-directory", str(out_dir),
               "--output-filename", "bench", "--no-banner", "--no-color", "--log-level", "WARNING"]
    with (out_dir / "prowler.log").open("w") as log_file:
        result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    log_text = (out_dir / "prowler.log").read_text()
    if result.returncode not in (0, 3):  # 3: FAIL findings
        raise RuntimeError(f"prowler exited {result.returncode}:\n{log_text[-3000:]}")
    report_path = out_dir / "bench.ocsf.json"
    findings = json.loads(report_path.read_text()) if report_path.exists() else []
    verdicts = {}
    for finding in findings:
        resource = (finding.get("resources") or [{}])[0]
        case = case_of(resource.get("uid", "")) or case_of(resource.get("name", ""))
        verdicts[case] = {"status": finding.get("status_code"), "message": finding.get("status_detail") or
                          finding.get("message")}
    return {**parse_time(time_file.read_text()), "exit": result.returncode, "findings": len(findings),
            "verdicts": verdicts,
            # Prowler logs every repository without a policy or lifecycle policy as a WARNING: keep the rest.
            "log_records": [line for line in log_text.splitlines() if "image_inspection" in line
                            or " ERROR: " in line or " CRITICAL: " in line][:20],
            "texts": [report_path.read_text() if report_path.exists() else "", log_text]}


def run_bulkhead(binary: Path, endpoint: str, creds: dict, work: Path) -> dict:
    out_dir = work / "bulkhead-out"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    command = ["/usr/bin/time", "-v", "-o", str(out_dir / "time.txt"), str(binary), "scan", "--endpoint-url",
               endpoint, "--region", REGION, "--regions", REGION, "--checks", BULKHEAD_CHECK, "--output-dir",
               str(out_dir), "--output-name", "bench", "--output-formats", "json", "--quiet"]
    result = subprocess.run(command, env=scan_env(creds, out_dir), capture_output=True, text=True)
    if result.returncode not in (0, 3):
        raise RuntimeError(f"bulkhead exited {result.returncode}:\n{result.stderr[-3000:]}")
    report_text = (out_dir / "bench.json").read_text()
    report = json.loads(report_text)
    verdicts = {}
    for finding in report["findings"]:
        if finding["check_id"] != BULKHEAD_CHECK:
            continue
        case = case_of(finding.get("resource_id", "")) or case_of(finding.get("resource_arn", ""))
        verdicts[case] = {"status": finding["status"], "message": finding["message"]}
    return {**parse_time((out_dir / "time.txt").read_text()), "exit": result.returncode,
            "findings": len(report["findings"]), "errors": report["scan"]["errors"], "verdicts": verdicts,
            "texts": [report_text, result.stdout, result.stderr]}


def spread(runs: list[dict], key: str) -> dict:
    values = [run[key] for run in runs]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def leaks(texts: list[str], planted: list[str]) -> int:
    return sum(1 for value in planted if any(value in text for text in texts))


def measure_mode(mode: str, binary: Path, runs: int, big_mib: int, seed: int, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    images, planted = planted_images(seed)
    emulator = Emulator(mode, work)
    try:
        creds, big_planted, big_facts = seed_account(emulator.endpoint, images, big_mib, seed, work)
        planted += big_planted
        measured: dict = {"prowler": [], "bulkhead": []}
        leaked = {"prowler": 0, "bulkhead": 0}
        for round_number in range(runs + 1):
            label = f"round {round_number}/{runs}" if round_number else "warm-up"
            for tool in ("prowler", "bulkhead"):
                result = (run_prowler(emulator.endpoint, creds, work) if tool == "prowler"
                          else run_bulkhead(binary, emulator.endpoint, creds, work))
                leaked[tool] = max(leaked[tool], leaks(result.pop("texts"), planted))
                log(f"{mode} {label}: {tool} {result['wall_s']:.2f} s, {result['findings']} finding(s)")
                if round_number:
                    measured[tool].append(result)
    finally:
        emulator.stop()
    cases = [{"case": image["case"], "what": image["what"], "expect": image["expect"]} for image in images]
    if big_mib:
        cases.append({"case": "big-layer", "what": f"{big_mib} MiB random bytes + credentials file in one "
                      f"gzip layer ({big_facts['layer_bytes'] / 1e6:.0f} MB compressed, over Prowler's "
                      "100 MB-per-layer cap)", "expect": "FAIL"})
    per_image = []
    for case in cases:
        row = dict(case)
        for tool in ("prowler", "bulkhead"):
            statuses = sorted({(run["verdicts"].get(case["case"]) or {}).get("status") or "-" for run in measured[tool]})
            row[tool] = "/".join(statuses)
            row[f"{tool}_message"] = (measured[tool][-1]["verdicts"].get(case["case"]) or {}).get("message")
        per_image.append(row)
    return {
        "mode": mode,
        "per_image": per_image,
        "tools": {tool: {"wall_s": spread(tool_runs, "wall_s"), "cpu_s": spread(tool_runs, "cpu_s"),
                         "peak_rss_mb": spread(tool_runs, "peak_rss_mb"),
                         "planted_values_in_output": leaked[tool], "runs": tool_runs}
                  for tool, tool_runs in measured.items()},
    }


def markdown(results: list[dict], info: dict) -> str:
    lines = [f"Prowler {info['prowler']} `{PROWLER_CHECK}` vs {info['bulkhead']} `{BULKHEAD_CHECK}`, "
             f"{info['date']}, {info['runs']} measured runs per tool (median, range).", ""]
    for result in results:
        lines += [f"### Emulator mode: {result['mode']}", "",
                  "| image | planted | expected | Prowler | bulkhead |", "| --- | --- | --- | --- | --- |"]
        for row in result["per_image"]:
            lines.append(f"| {row['case']} | {row['what']} | {row['expect']} | {row['prowler']} | {row['bulkhead']} |")
        lines.append("")
        for tool, facts in result["tools"].items():
            w, c, r = facts["wall_s"], facts["cpu_s"], facts["peak_rss_mb"]
            lines.append(f"- {tool}: wall {w['median']:.2f} s ({w['min']:.2f}-{w['max']:.2f}), CPU "
                         f"{c['median']:.2f} s, peak RSS {r['median']:.0f} MB; planted values found in its "
                         f"output: {facts['planted_values_in_output']}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulkhead", type=Path, default=Path(os.environ.get("BULKHEAD_BIN", DEFAULT_BULKHEAD)),
                        help=f"the bulkhead binary (default $BULKHEAD_BIN, else {DEFAULT_BULKHEAD})")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per tool, after a warm-up run")
    parser.add_argument("--big-mib", type=int, default=120, help="size of the big-layer image's random file; 0: no big image")
    parser.add_argument("--modes", default=",".join(MODES), help=f"emulator modes, comma-separated: {', '.join(MODES)}")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated secrets")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if unknown := [m for m in modes if m not in MODES]:
        parser.error(f"unknown mode(s): {', '.join(unknown)}")
    for path, how in ((PROWLER, "run bench/install-prowler"), (args.bulkhead, "build bulkhead (cargo build --release)")):
        if not path.exists():
            sys.exit(f"image_secrets_vs_prowler: {path} is missing: {how}")
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "prowler": subprocess.run([PROWLER.parent / "python", "-c",
                                   "import importlib.metadata as m; print(m.version('prowler'))"],
                                  check=True, capture_output=True, text=True).stdout.strip(),
        "bulkhead": subprocess.run([args.bulkhead, "--version"], capture_output=True, text=True).stdout.strip(),
        "bulkhead_sha256": hashlib.sha256(args.bulkhead.read_bytes()).hexdigest(),
        "commit": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True).stdout.strip(),
        "runs": args.runs, "big_mib": args.big_mib, "seed": args.seed, "cores": os.cpu_count(),
        "command": " ".join(["bench/image_secrets_vs_prowler.py", *sys.argv[1:]]),
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="image-secrets-") as tmp:
        for mode in modes:
            results.append(measure_mode(mode, args.bulkhead, args.runs, args.big_mib, args.seed, Path(tmp) / mode))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"info": info, "results": results}, indent=1) + "\n")
    log(f"wrote {args.output}")
    print(markdown(results, info))


if __name__ == "__main__":
    main()
