"""Image layers the seeder pushes as real blobs (seeding/schema.py ECR_LAYER).

Each layer is a tar archive with fixed times, owners and modes, compressed
with gzip's mtime fixed too, so the same fixture always yields the same
digests. Whiteouts are written as the OCI image spec lays them out: an empty
``.wh.NAME`` beside what it deletes, ``.wh..wh..opq`` in a directory made
opaque. File contents are never logged (fixtures hold fake secrets).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import posixpath
import tarfile
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .validate import FixtureError, _list, _str, _str_map, key_choice, key_mapping

OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"


@dataclass
class Layer:
    files: dict[str, str] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    symlinks: dict[str, str] = field(default_factory=dict)
    compression: str = "gzip"


def parse_layers(raw: Any, path: str) -> list[Layer] | None:
    """The image's `layers`, parsed; None when the fixture gives none."""
    if raw is None:
        return None
    layers = []
    for n, item in enumerate(_list(raw, path)):
        lp = f"{path}[{n}]"
        spec = key_mapping(schema.ECR_LAYER, item, lp)
        paths = lambda name: [_str(v, f"{lp}.{name}[{k}]") for k, v in enumerate(_list(spec.get(name), f"{lp}.{name}"))]
        layer = Layer(
            files=_str_map(spec.get("files"), f"{lp}.files"),
            delete=paths("delete"),
            opaque=paths("opaque"),
            symlinks=_str_map(spec.get("symlinks"), f"{lp}.symlinks"),
            compression=key_choice(schema.ECR_LAYER, spec, "compression", lp),
        )
        for name in list(layer.files) + layer.delete + layer.opaque + list(layer.symlinks):
            if name.startswith("/") or ".." in name.split("/"):
                raise FixtureError(f"{lp}: {name!r}: paths are relative to the image root, without ..")
        layers.append(layer)
    if not layers:
        raise FixtureError(f"{path}: give at least one layer, or leave `layers` out")
    return layers


def _entry(archive: tarfile.TarFile, name: str, kind: bytes, data: bytes = b"", link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    info.linkname = link
    archive.addfile(info, io.BytesIO(data) if data else None)


def layer_blob(layer: Layer) -> tuple[bytes, str]:
    """The layer's blob and its media type."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for directory in layer.opaque:
            _entry(archive, f"{directory.rstrip('/')}/.wh..wh..opq", tarfile.REGTYPE)
        for deleted in layer.delete:
            parent, name = posixpath.split(deleted.rstrip("/"))
            _entry(archive, posixpath.join(parent, ".wh." + name), tarfile.REGTYPE)
        for name, content in layer.files.items():
            _entry(archive, name, tarfile.REGTYPE, content.encode())
        for name, target in layer.symlinks.items():
            _entry(archive, name, tarfile.SYMTYPE, link=target)
    tar = out.getvalue()
    if layer.compression == "none":
        return tar, OCI_LAYER_TAR
    return gzip.compress(tar, mtime=0), OCI_LAYER_GZIP


def descriptors(layers: list[Layer]) -> list[tuple[bytes, dict]]:
    """Each layer's blob and the manifest's descriptor of it."""
    out = []
    for layer in layers:
        blob, media_type = layer_blob(layer)
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        out.append((blob, {"mediaType": media_type, "digest": digest, "size": len(blob)}))
    return out
