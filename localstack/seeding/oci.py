"""The OCI manifests the seeder pushes to ECR: images, cosign signatures and OCI 1.1 referrers.

Never real blobs (ECR in moto does not check them): an image's config and
layer digests derive from its repository and tag, and every timestamp is
CREATED, so the same fixture always yields the same digests.
"""

from __future__ import annotations

import base64
import hashlib
import json

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2,
}
COSIGN_LAYER = "application/vnd.dev.cosign.simplesigning.v1+json"
NOTATION_TYPE = "application/vnd.cncf.notary.signature"
SIGSTORE_BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
# Fixed, so that the same fixture always yields the same digests.
CREATED = "2025-01-15T09:30:00Z"


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _blob(kind: str, *parts: str) -> tuple[str, int]:
    """A fake blob's digest and size, derived from kind and parts."""
    h = hashlib.sha256("\0".join((kind,) + parts).encode()).hexdigest()
    return "sha256:" + h, 1024 + int(h[:6], 16)


def encode(manifest: dict) -> tuple[str, str]:
    """The exact manifest text sent to PutImage and its digest (as ECR computes it)."""
    text = json.dumps(manifest, separators=(",", ":"))
    return text, _sha256(text.encode("utf-8"))


def image_config(repo: str, tag: str, spec: dict | None = None, platform: str = "linux/amd64") -> bytes:
    """The config blob: OCI image config, its run config from spec (seeding/schema.py ECR_IMAGE_CONFIG)."""
    spec = spec or {}
    os_name, arch = platform.split("/", 1)
    run: dict = {"Labels": {"org.opencontainers.image.title": repo, "org.opencontainers.image.version": tag}}
    if spec.get("user"):
        run["User"] = spec["user"]
    if spec.get("env"):
        run["Env"] = [f"{k}={v}" for k, v in spec["env"].items()]
    if spec.get("exposed_ports"):
        run["ExposedPorts"] = {port: {} for port in spec["exposed_ports"]}
    if spec.get("entrypoint"):
        run["Entrypoint"] = list(spec["entrypoint"])
    if spec.get("cmd"):
        run["Cmd"] = list(spec["cmd"])
    config = {
        "architecture": arch,
        "os": os_name,
        "created": spec.get("created") or CREATED,
        "config": run,
        # linux/amd64 keeps the digests fixtures had before platforms existed.
        "rootfs": {
            "type": "layers",
            "diff_ids": [_blob("diff", repo, tag, *([] if platform == "linux/amd64" else [platform]))[0]],
        },
    }
    if spec.get("history"):
        config["history"] = [{"created": CREATED, "created_by": line} for line in spec["history"]]
    return json.dumps(config, separators=(",", ":")).encode()


def image_manifest(repo: str, tag: str, config: bytes | None = None) -> dict:
    config = config if config is not None else image_config(repo, tag)
    layer_digest, layer_size = _blob("layer", repo, tag)
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": _sha256(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer_size}],
        "annotations": {"org.opencontainers.image.created": CREATED},
    }


def image_index(manifests: list[tuple[str, str, int]]) -> dict:
    """An OCI image index of (platform, digest, size) manifests."""
    return {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": size,
                "platform": {"os": platform.split("/", 1)[0], "architecture": platform.split("/", 1)[1]},
            }
            for platform, digest, size in manifests
        ],
    }


def cosign_manifest(registry: str, repo: str, digest: str) -> dict:
    payload = json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": f"{registry}/{repo}"},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": None,
        },
        separators=(",", ":"),
    ).encode()
    config = json.dumps(
        {"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers", "diff_ids": [_sha256(payload)]}},
        separators=(",", ":"),
    ).encode()
    fake_signature = base64.b64encode(hashlib.sha512(payload).digest()).decode()
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": _sha256(config), "size": len(config)},
        "layers": [
            {
                "mediaType": COSIGN_LAYER,
                "digest": _sha256(payload),
                "size": len(payload),
                "annotations": {"dev.cosignproject.cosign/signature": fake_signature},
            }
        ],
    }


def referrer_manifest(kind: str, subject: dict) -> dict:
    """An OCI 1.1 referrer (notation signature or sigstore bundle) of subject."""
    if kind == "notation":
        artifact_type, layer_type = NOTATION_TYPE, "application/jose+json"
        annotations = {
            "io.cncf.notary.x509chain.thumbprint#S256": json.dumps(
                [hashlib.sha256(subject["digest"].encode()).hexdigest()]
            ),
            "org.opencontainers.image.created": CREATED,
        }
    else:
        artifact_type = layer_type = SIGSTORE_BUNDLE_TYPE
        annotations = {
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1",
            "org.opencontainers.image.created": CREATED,
        }
    layer_digest, layer_size = _blob(kind, subject["digest"])
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": OCI_EMPTY,
        "layers": [{"mediaType": layer_type, "digest": layer_digest, "size": layer_size}],
        "subject": subject,
        "annotations": annotations,
    }
