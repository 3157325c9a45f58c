"""ECR: the registry's scanning configuration and policy, repositories, images, signatures, scan results.

Fixture keys: seeding/schema.py (ECR_REGISTRY, ECR_SCANNING, ECR_SCAN_RULE,
ECR_SIGNING_RULE, ECR_REPOSITORY, ECR_IMAGE). The manifests pushed: seeding/oci.py.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .core import SeedError, Seeder, log, step
from .layers import Layer, descriptors, parse_layers
from .oci import CREATED, cosign_manifest, encode, image_config, image_index, image_manifest, referrer_manifest

PLATFORM_RE = re.compile(r"^[a-z0-9]+/[a-z0-9]+$")
from .validate import (
    FixtureError,
    _choice,
    _document,
    _int,
    _list,
    _str,
    _str_map,
    _tags,
    _unique,
    key_bool,
    key_choice,
    key_mapping,
    key_str,
)

LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "expire untagged images after 14 days",
            "selection": {
                "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14
            },
            "action": {"type": "expire"},
        }
    ]
}


@dataclass
class EcrImage:
    tag: str
    signatures: list[str]
    scan: dict[str, int] | None = None  # None: never scanned; {}: clean
    config: dict | None = None  # seeding/schema.py ECR_IMAGE_CONFIG, parsed
    platforms: list[str] = field(default_factory=list)  # empty: one linux/amd64 manifest
    upload_config: bool = True
    after_tasks: bool = False  # pushed once the region's ECS tasks run: its tag moves under them
    findings: list[dict] | None = None  # seeding/schema.py ECR_FINDING, parsed; None: see scan
    layers: list[Layer] | None = None  # seeding/schema.py ECR_LAYER, parsed; None: one made-up layer digest


@dataclass
class EcrRepository:
    name: str
    tags: dict[str, str]
    policy: dict | None
    images: list[EcrImage]
    scan_on_push: bool = False
    tag_mutability: str = "MUTABLE"
    encryption: str = "AES256"
    lifecycle_policy: bool = False


@dataclass
class EcrRegistry:
    scan_type: str | None = None  # None: leave moto's default
    rules: list[dict] = field(default_factory=list)
    policy: dict | None = None
    signing_rules: list[dict] | None = None  # None: no signing configuration


# -- parsing --


def _scan(value: Any, path: str) -> dict[str, int] | None:
    if value is None or value == "none":
        return None
    if value == "clean":
        return {}
    if not isinstance(value, dict) or not value:
        raise FixtureError(f"{path}: expected none, clean or a mapping of severity to count, got {value!r}")
    key = schema.ECR_IMAGE.key("scan")
    counts = {}
    for severity, count in value.items():
        _choice(severity, f"{path} key", key.choices)
        counts[severity] = _int(count, f"{path}.{severity}", *key.range)
    return counts


def _findings(value: Any, path: str) -> list[dict] | None:
    if value is None:
        return None
    shape = schema.ECR_FINDING
    findings = []
    for n, raw in enumerate(_list(value, path)):
        fp = f"{path}[{n}]"
        f = key_mapping(shape, raw, fp)
        score = f.get("score")
        number = isinstance(score, (int, float)) and not isinstance(score, bool)
        if score is not None and not (number and 0 < score <= 10):
            raise FixtureError(f"{fp}.score: expected a number 0.1..10, got {score!r}")
        findings.append(
            {
                "id": key_str(shape, f, "id", fp),
                "severity": key_choice(shape, f, "severity", fp),
                "package": key_str(shape, f, "package", fp),
                "version": key_str(shape, f, "version", fp),
                "fixed_in": key_str(shape, f, "fixed_in", fp),
                "exploit": key_bool(shape, f, "exploit", fp),
                "score": float(score) if score is not None else None,
            }
        )
    return findings


def parse_registry(rspec: dict, rpath: str) -> EcrRegistry | None:
    if rspec.get("ecr_registry") is None:
        return None
    p = f"{rpath}.ecr_registry"
    reg = key_mapping(schema.ECR_REGISTRY, rspec["ecr_registry"], p)
    registry = EcrRegistry()
    if reg.get("scanning") is not None:
        sp = f"{p}.scanning"
        sc = key_mapping(schema.ECR_SCANNING, reg["scanning"], sp)
        registry.scan_type = key_choice(schema.ECR_SCANNING, sc, "type", sp)
        for k, rraw in enumerate(_list(sc.get("rules"), f"{sp}.rules")):
            rp = f"{sp}.rules[{k}]"
            rule = key_mapping(schema.ECR_SCAN_RULE, rraw, rp)
            filters = [_str(f, f"{rp}.filters[{n}]") for n, f in enumerate(_list(rule["filters"], f"{rp}.filters"))]
            if not filters:
                raise FixtureError(f"{rp}.filters: give at least one filter")
            registry.rules.append(
                {
                    "scanFrequency": key_choice(schema.ECR_SCAN_RULE, rule, "frequency", rp),
                    "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters],
                }
            )
    if reg.get("policy") is not None:
        registry.policy = _document(reg["policy"], f"{p}.policy")
    if reg.get("signing") is not None:
        registry.signing_rules = []
        for k, rraw in enumerate(_list(reg["signing"], f"{p}.signing")):
            rp = f"{p}.signing[{k}]"
            rule = key_mapping(schema.ECR_SIGNING_RULE, rraw, rp)
            filters = [_str(f, f"{rp}.filters[{n}]") for n, f in enumerate(_list(rule.get("filters"), f"{rp}.filters"))]
            signing_rule: dict[str, Any] = {"signingProfileArn": key_str(schema.ECR_SIGNING_RULE, rule, "profile", rp)}
            if filters:
                signing_rule["repositoryFilters"] = [{"filter": f, "filterType": "WILDCARD_MATCH"} for f in filters]
            registry.signing_rules.append(signing_rule)
    return registry


def _image(raw: Any, ip: str) -> EcrImage:
    shape = schema.ECR_IMAGE
    im = key_mapping(shape, raw, ip)
    signatures = shape.key("signature").choices
    sig = im.get("signature")
    sigs = sig if isinstance(sig, list) else [] if sig in (None, "none") else [sig]
    for sg in sigs:
        if sg not in signatures:
            raise FixtureError(f"{ip}.signature: {sg!r} is not one of none, {', '.join(signatures)}")
    _unique(sigs, f"{ip}.signature", "signature")
    config = None
    if im.get("config") is not None:
        cp = f"{ip}.config"
        cs = key_mapping(schema.ECR_IMAGE_CONFIG, im["config"], cp)
        strings = lambda name: [_str(v, f"{cp}.{name}[{n}]") for n, v in enumerate(_list(cs.get(name), f"{cp}.{name}"))]
        config = {
            "user": key_str(schema.ECR_IMAGE_CONFIG, cs, "user", cp),
            "env": _str_map(cs.get("env"), f"{cp}.env"),
            "exposed_ports": strings("exposed_ports"),
            "entrypoint": strings("entrypoint"),
            "cmd": strings("cmd"),
            "history": strings("history"),
            "created": key_str(schema.ECR_IMAGE_CONFIG, cs, "created", cp),
        }
    platforms = [
        _str(v, f"{ip}.platforms[{n}]", PLATFORM_RE) for n, v in enumerate(_list(im.get("platforms"), f"{ip}.platforms"))
    ]
    _unique(platforms, f"{ip}.platforms", "platform")
    findings = _findings(im.get("findings"), f"{ip}.findings")
    if findings is not None and im.get("scan") is not None:
        raise FixtureError(f"{ip}: give findings or scan, not both (findings decide the counts)")
    return EcrImage(
        key_str(shape, im, "tag", ip),
        sigs,
        _scan(im.get("scan"), f"{ip}.scan"),
        config=config,
        platforms=platforms,
        upload_config=key_choice(shape, im, "config_blob", ip) == "upload",
        after_tasks=key_choice(shape, im, "pushed", ip) == "after_tasks",
        findings=findings,
        layers=parse_layers(im.get("layers"), f"{ip}.layers"),
    )


def parse_repositories(rspec: dict, rpath: str) -> list[EcrRepository]:
    shape = schema.ECR_REPOSITORY
    repos = []
    for i, raw in enumerate(_list(rspec.get("ecr_repositories"), f"{rpath}.ecr_repositories")):
        p = f"{rpath}.ecr_repositories[{i}]"
        s = key_mapping(shape, raw, p)
        policy = s.get("policy")
        if policy is not None:
            _document(policy, f"{p}.policy")
        images = [
            _image(iraw, f"{p}.images[{j}]") for j, iraw in enumerate(_list(s.get("images"), f"{p}.images"))
        ]
        # A tag is pushed once per phase: an image pushed after the tasks may move an earlier one's tag.
        _unique([im.tag for im in images if not im.after_tasks], f"{p}.images", "tag")
        _unique([im.tag for im in images if im.after_tasks], f"{p}.images", "tag")
        repos.append(
            EcrRepository(
                name=key_str(shape, s, "name", p),
                tags=_tags(s.get("tags"), f"{p}.tags"),
                policy=policy,
                images=images,
                scan_on_push=key_bool(shape, s, "scan_on_push", p),
                tag_mutability=key_choice(shape, s, "tag_mutability", p),
                encryption=key_choice(shape, s, "encryption", p),
                lifecycle_policy=key_bool(shape, s, "lifecycle_policy", p),
            )
        )
    _unique([r.name for r in repos], f"{rpath}.ecr_repositories", "name")
    return repos


# -- seeding --


def seed_registry(seeder: Seeder, region: str, registry: EcrRegistry) -> None:
    ecr = seeder.client("ecr", region)
    label = f"{region}: ECR registry"
    with step(label):
        if registry.scan_type is not None:
            ecr.put_registry_scanning_configuration(scanType=registry.scan_type, rules=registry.rules)
        if registry.policy is not None:
            ecr.put_registry_policy(policyText=json.dumps(registry.policy))
        if registry.signing_rules is not None:
            ecr.put_signing_configuration(signingConfiguration={"rules": registry.signing_rules})
    signing = "" if registry.signing_rules is None else f", {len(registry.signing_rules)} signing rule(s)"
    log(
        f"{label}: scanning {registry.scan_type or 'default'} with {len(registry.rules)} rule(s)"
        f"{', policy set' if registry.policy is not None else ''}{signing}"
    )


def _basic_finding(finding: dict) -> dict:
    """A finding as ECR's basic scan reports it."""
    attributes = [
        {"key": "package_name", "value": finding["package"]},
        {"key": "package_version", "value": finding["version"]},
    ]
    if finding["score"] is not None:
        attributes.append({"key": "CVSS3_SCORE", "value": str(finding["score"])})
    return {
        "name": finding["id"],
        "uri": f"https://nvd.nist.gov/vuln/detail/{finding['id']}",
        "severity": finding["severity"],
        "attributes": attributes,
    }


def _enhanced_finding(seeder: Seeder, region: str, repo: str, digest: str, finding: dict) -> dict:
    """A finding as Amazon Inspector reports it through ECR's enhanced scanning."""
    package = {"name": finding["package"], "version": finding["version"], "packageManager": "OS"}
    if finding["fixed_in"] is not None:
        package["fixedInVersion"] = finding["fixed_in"]
    enhanced = {
        "awsAccountId": seeder.account,
        "findingArn": f"arn:aws:inspector2:{region}:{seeder.account}:finding/{finding['id'].lower()}",
        "title": f"{finding['id']} - {finding['package']}",
        "description": f"{finding['package']} {finding['version']} is affected by {finding['id']}.",
        "severity": finding["severity"],
        "status": "ACTIVE",
        "type": "PACKAGE_VULNERABILITY",
        "fixAvailable": "YES" if finding["fixed_in"] is not None else "NO",
        "exploitAvailable": "YES" if finding["exploit"] else "NO",
        "packageVulnerabilityDetails": {
            "vulnerabilityId": finding["id"],
            "source": "NVD",
            "sourceUrl": f"https://nvd.nist.gov/vuln/detail/{finding['id']}",
            "vulnerablePackages": [package],
        },
        "resources": [{"id": f"arn:aws:ecr:{region}:{seeder.account}:repository/{repo}/{digest}",
                       "type": "AWS_ECR_CONTAINER_IMAGE"}],
    }
    if finding["score"] is not None:
        enhanced["score"] = finding["score"]
    return enhanced


def _scan_result(
    seeder: Seeder, region: str, repo: str, digest: str, counts: dict[str, int], findings: list[dict] | None = None
) -> None:
    """Start a scan of the image and tell moto what DescribeImageScanFindings reports for it.

    With findings, the result carries them both ways (basic and enhanced: server.py answers the
    registry's scanning type); without, counts alone and no enhancedFindings."""
    ecr = seeder.client("ecr", region)
    with step(f"{region}: ECR repository {repo!r}: scan {digest[:19]}…"):
        ecr.start_image_scan(repositoryName=repo, imageId={"imageDigest": digest})
    result = {
        "registryId": seeder.account,
        "repositoryName": repo,
        "imageId": {"imageDigest": digest},
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindings": {
            "imageScanCompletedAt": CREATED,
            "vulnerabilitySourceUpdatedAt": CREATED,
            "findings": [_basic_finding(finding) for finding in findings or []],
            "findingSeverityCounts": counts,
        },
    }
    if findings is not None:
        result["imageScanFindings"]["enhancedFindings"] = [
            _enhanced_finding(seeder, region, repo, digest, finding) for finding in findings
        ]
    body = json.dumps({"account_id": seeder.account, "region": region, "results": [result]}).encode()
    request = urllib.request.Request(
        f"{seeder.endpoint}/moto-api/static/ecr/scan-finding-results",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except OSError as e:
        raise SeedError(f"{region}: ECR repository {repo!r}: setting the scan result: {e}") from None


def encode_blob(blob: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(blob).hexdigest()


def seed_repository(seeder: Seeder, region: str, repo: EcrRepository, after_tasks: bool = False) -> None:
    """Create the repository and push its images; with after_tasks, push only the images marked so."""
    ecr = seeder.client("ecr", region)
    label = f"{region}: ECR repository {repo.name!r}"
    registry = f"{seeder.account}.dkr.ecr.{region}.amazonaws.com"
    if not after_tasks:
        _create_repository(seeder, region, repo, label)
    _push_images(seeder, region, repo, [image for image in repo.images if image.after_tasks == after_tasks], label, registry)


def _create_repository(seeder: Seeder, region: str, repo: EcrRepository, label: str) -> None:
    ecr = seeder.client("ecr", region)
    with step(label):
        kwargs: dict[str, Any] = {
            "repositoryName": repo.name,
            "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push},
            "imageTagMutability": repo.tag_mutability,
            "encryptionConfiguration": {"encryptionType": repo.encryption},
        }
        if repo.tags:
            kwargs["tags"] = [{"Key": k, "Value": v} for k, v in repo.tags.items()]
        ecr.create_repository(**kwargs)
        if repo.policy is not None:
            ecr.set_repository_policy(repositoryName=repo.name, policyText=json.dumps(repo.policy))
        if repo.lifecycle_policy:
            ecr.put_lifecycle_policy(repositoryName=repo.name, lifecyclePolicyText=json.dumps(LIFECYCLE_POLICY))
    log(
        f"{label}: {repo.tag_mutability}, {repo.encryption}, scan on push {'on' if repo.scan_on_push else 'off'}, "
        f"lifecycle policy {'yes' if repo.lifecycle_policy else 'no'}"
        f"{', with policy' if repo.policy is not None else ''}"
    )


def _push_images(
    seeder: Seeder, region: str, repo: EcrRepository, images: list[EcrImage], label: str, registry: str
) -> None:
    ecr = seeder.client("ecr", region)

    def put(manifest: dict, tag: str | None, what: str) -> tuple[str, int]:
        text, digest = encode(manifest)
        args = {
            "repositoryName": repo.name,
            "imageManifest": text,
            "imageManifestMediaType": manifest["mediaType"],
            "imageDigest": digest,
        }
        if tag is not None:
            args["imageTag"] = tag
        with step(f"{label}: push {what}"):
            got = ecr.put_image(**args)["image"]["imageId"]["imageDigest"]
        if got != digest:
            raise SeedError(f"{label}: {what}: emulator stored digest {got}, expected {digest}")
        return digest, len(text.encode("utf-8"))

    def upload_blob(blob: bytes, what: str) -> None:
        """The config blob, through ECR's own upload calls (server.py keeps the bytes)."""
        with step(f"{label}: upload {what}"):
            upload = ecr.initiate_layer_upload(repositoryName=repo.name)["uploadId"]
            ecr.upload_layer_part(
                repositoryName=repo.name, uploadId=upload, partFirstByte=0, partLastByte=len(blob) - 1, layerPartBlob=blob
            )
            ecr.complete_layer_upload(repositoryName=repo.name, uploadId=upload, layerDigests=[encode_blob(blob)])

    uploaded_layers: set[str] = set()

    def upload_layers(image: EcrImage, what: str) -> list[dict]:
        """The image's layer blobs, each uploaded once (a layer two images share
        is in the repository once, as ECR keeps it); their descriptors."""
        out = []
        for n, (layer_blob, descriptor) in enumerate(descriptors(image.layers or [])):
            if descriptor["digest"] not in uploaded_layers:
                upload_blob(layer_blob, f"layer {n + 1} of {what}")
                uploaded_layers.add(descriptor["digest"])
            out.append(descriptor)
        return out

    for image in images:
        notes = []
        if image.platforms:
            entries = []
            for platform in image.platforms:
                blob = image_config(repo.name, image.tag, image.config, platform)
                if image.upload_config:
                    upload_blob(blob, f"config of {image.tag} {platform}")
                m = image_manifest(repo.name, f"{image.tag} {platform}", blob)
                if image.layers is not None:
                    m["layers"] = upload_layers(image, f"{image.tag} {platform}")
                d, sz = put(m, None, f"image {image.tag} {platform}")
                entries.append((platform, d, sz))
            manifest = image_index(entries)
            notes.append("index of " + ", ".join(image.platforms))
        else:
            blob = image_config(repo.name, image.tag, image.config)
            if image.upload_config:
                upload_blob(blob, f"config of {image.tag}")
            manifest = image_manifest(repo.name, image.tag, blob)
            if image.layers is not None:
                manifest["layers"] = upload_layers(image, image.tag)
                notes.append(f"{len(image.layers)} layer blob(s)")
        if not image.upload_config:
            notes.append("config blob missing")
        digest, size = put(manifest, image.tag, f"image {image.tag}")
        if image.findings is not None:
            counts: dict[str, int] = {}
            for finding in image.findings:
                counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
            _scan_result(seeder, region, repo.name, digest, counts, image.findings)
            notes.append(f"scan findings {', '.join(f['id'] for f in image.findings) or 'none'}")
        elif image.scan is not None:
            _scan_result(seeder, region, repo.name, digest, image.scan)
            notes.append(f"scan {image.scan or 'clean'}")
        for sig in image.signatures:
            if sig == "cosign":
                sig_tag = "sha256-" + digest.split(":", 1)[1] + ".sig"
                put(cosign_manifest(registry, repo.name, digest), sig_tag, f"cosign signature of {image.tag}")
                notes.append(f"cosign {sig_tag}")
            else:
                subject = {"mediaType": manifest["mediaType"], "digest": digest, "size": size}
                ref, _ = put(referrer_manifest(sig, subject), None, f"{sig} referrer of {image.tag}")
                notes.append(f"{sig} {ref[:19]}…")
        if not image.signatures:
            notes.append("unsigned")
        log(f"{label}: {image.tag} {digest[:19]}… {'; '.join(notes)}")
