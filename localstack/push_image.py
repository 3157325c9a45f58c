"""Pushes an image from an OCI layout folder into the emulated ECR, and runs it in a task definition.

    .venv/bin/python push_image.py --endpoint URL --region REGION \
        --repository NAME --tag TAG --family FAMILY OCI_LAYOUT_DIR

The layout holds one image (``buildah push IMAGE oci:DIR``). Its config and
layer blobs go up through ECR's own upload calls (``InitiateLayerUpload``,
``UploadLayerPart``, ``CompleteLayerUpload``; server.py keeps the bytes and
serves them to ``GetDownloadUrlForLayer``), then its manifest, byte for byte,
through ``PutImage``. The repository is created if it is missing. Then a task
definition FAMILY runs the image pinned by digest, with no user of its own, so
the image's config decides every image check bulkhead makes.

Credentials come from the environment (the seeder's for one account). Prints
``{"digest": ..., "image": ..., "task_definition_arn": ...}`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import boto3

# UploadLayerPart takes a blob in one JSON request, base64-encoded; parts keep
# each request small.
PART_SIZE = 4 * 1024 * 1024


def _blob(layout: pathlib.Path, digest: str) -> bytes:
    algorithm, hex_digest = digest.split(":", 1)
    return (layout / "blobs" / algorithm / hex_digest).read_bytes()


def _upload(ecr, repository: str, digest: str, data: bytes) -> None:
    upload = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    for first in range(0, len(data), PART_SIZE):
        part = data[first : first + PART_SIZE]
        ecr.upload_layer_part(
            repositoryName=repository,
            uploadId=upload,
            partFirstByte=first,
            partLastByte=first + len(part) - 1,
            layerPartBlob=part,
        )
    ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[digest])


def push(ecr, layout: pathlib.Path, repository: str, tag: str) -> str:
    """Uploads the layout's image; returns its manifest digest as ECR reports it."""
    index = json.loads((layout / "index.json").read_text())
    if len(index["manifests"]) != 1:
        sys.exit(f"push_image.py: {layout} holds {len(index['manifests'])} manifests, not one")
    descriptor = index["manifests"][0]
    manifest_bytes = _blob(layout, descriptor["digest"])
    manifest = json.loads(manifest_bytes)
    try:
        ecr.create_repository(repositoryName=repository)
    except ecr.exceptions.RepositoryAlreadyExistsException:
        pass
    for blob in [manifest["config"], *manifest["layers"]]:
        _upload(ecr, repository, blob["digest"], _blob(layout, blob["digest"]))
    image = ecr.put_image(
        repositoryName=repository,
        imageManifest=manifest_bytes.decode("utf-8"),
        imageManifestMediaType=descriptor.get("mediaType") or manifest.get("mediaType"),
        # ECR computes the digest of the manifest's bytes; moto needs it
        # given (it hashes the layer digests otherwise), as the seeder does.
        imageDigest=descriptor["digest"],
        imageTag=tag,
    )["image"]
    if image["imageId"]["imageDigest"] != descriptor["digest"]:
        sys.exit(f"push_image.py: ECR computed {image['imageId']['imageDigest']}, the layout says {descriptor['digest']}")
    return descriptor["digest"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--family", required=True)
    parser.add_argument("layout", type=pathlib.Path)
    args = parser.parse_args()

    session = boto3.session.Session(region_name=args.region)
    ecr = session.client("ecr", endpoint_url=args.endpoint)
    digest = push(ecr, args.layout, args.repository, args.tag)
    account = session.client("sts", endpoint_url=args.endpoint).get_caller_identity()["Account"]
    image = f"{account}.dkr.ecr.{args.region}.amazonaws.com/{args.repository}@{digest}"
    arn = session.client("ecs", endpoint_url=args.endpoint).register_task_definition(
        family=args.family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "bulkhead", "image": image, "essential": True, "command": ["--version"]}],
    )["taskDefinition"]["taskDefinitionArn"]
    print(json.dumps({"digest": digest, "image": image, "task_definition_arn": arn}))


if __name__ == "__main__":
    main()
