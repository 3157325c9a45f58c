"""Run moto's server (pinned in requirements.txt) with bulkhead's ECR extension.

Usage: localstack/.venv/bin/python localstack/server.py [--host 127.0.0.1] [--port 4566]

This is moto's own server (``moto.server.main``) run in-process, with
additions that make moto's ECR answer like real ECR does for OCI 1.1
referrers (signatures and attestations attached to an image through the
manifest ``subject`` field). bulkhead's "ECR images are signed" check finds
notation and sigstore-bundle signatures that way, and moto 5.2.5 has neither:

1. ``ListImageReferrers`` (``ECRResponse.list_image_referrers`` and
   ``ECRBackend.list_image_referrers``). moto 5.2.5 answers this action with
   an HTTP 500 HTML page. Added: the referrers of ``subjectId.imageDigest``
   are the images of the repository whose stored manifest has
   ``subject.digest`` equal to it. Each is reported as
   ``{digest, mediaType, artifactType, size, annotations?, artifactStatus}``
   with ``artifactType`` = the manifest's ``artifactType``, else its
   ``config.mediaType`` (the OCI distribution-spec rule), ``size`` = the
   length of the manifest bytes, ``artifactStatus`` = ``ACTIVE``.
   ``filter.artifactTypes`` and ``filter.artifactStatus`` are honoured, and
   so are ``maxResults``/``nextToken`` (a plain offset). A missing
   repository raises moto's usual ``RepositoryNotFoundException``.

2. ``DescribeImages`` reports ``subjectManifestDigest`` for every image whose
   manifest has a ``subject`` (``Image.subject_manifest_digest``; moto's
   serializer picks the snake_case attribute up by itself).
   ``artifactMediaType`` is deliberately NOT added: leaving that moto gap in
   place makes bulkhead's scanner go through ListImageReferrers, the path
   that matters against real ECR.

3. ``GetTrailStatus`` reports ``LatestCloudWatchLogsDeliveryTime`` (when
   logging started)
   for a trail that is logging and has a CloudWatch Logs log group, as real
   CloudTrail does once it delivers; moto 5.2.5 never reports the field.
   bulkhead's ``cloudtrail_cloudwatch_logging_enabled`` judges delivery
   within 24 hours by it. Trails without a log group, or stopped, are
   reported as moto reports them.

4. ``DescribeImages`` reports ``imageScanStatus`` and
   ``imageScanFindingsSummary`` for every image that was scanned, as real ECR
   does, with the same severity counts and completion time
   ``DescribeImageScanFindings`` answers for it (the result set through
   moto's API, else moto's default); moto 5.2.5 reports neither, which would
   force a ``DescribeImageScanFindings`` call per repository that real ECR
   does not need. Pending results set through moto's API are handed to their
   image on ``DescribeImages`` too, as moto itself does only on
   ``DescribeImageScanFindings``.

5. ``POST /_bulkhead/iam`` (not an AWS API: a test-bed control the seeder
   calls) sets IAM state that no AWS API can set and moto fixes: the root
   user's MFA (``root_mfa``: ``none``, ``virtual`` with a virtual device
   named ``root-account-mfa-device`` as AWS names it, or ``hardware``),
   whether the root user has an access key (``root_access_key``), and the
   age of users' access keys (``access_key_age_days``: user -> days, which
   backdates their creation). Body: JSON with ``account`` and those keys.
   Without it moto's ``GetAccountSummary`` always reports no root MFA and no
   root key, and every key is brand new.

6. AWS Organizations, for fleet scans (``bulkhead scan --organization``):

   a. ``AssumeRole`` into an account that is a member of an emulated
      organization (an account made by ``CreateAccount``) requires the role
      to exist there, as AWS does: an unknown role ARN (name and path) gets
      ``AccessDenied``. When the role's trust policy has a
      ``Condition`` with ``sts:ExternalId`` (``StringEquals``), the request's
      ``ExternalId`` must equal it, else ``AccessDenied`` too. moto 5.2.5
      hands out credentials for any role ARN; that stays so for every other
      account, which is what the other tests' accounts rely on. Principals
      in the trust policy are not checked.
   b. ``ListAccounts`` answers the first page of an organization (a request
      without ``NextToken``) with no accounts and a ``NextToken``, as real
      Organizations may; the second request (with that token) gets moto's
      first page. A client that stops at the first empty page misses every
      account. An account in no organization gets
      ``AWSOrganizationsNotInUseException``, as from AWS (moto 5.2.5 answers
      it with an empty list).
7. Layer blobs and ``GetDownloadUrlForLayer``. moto 5.2.5 keeps only the
   size of a layer uploaded through ``InitiateLayerUpload`` /
   ``UploadLayerPart`` / ``CompleteLayerUpload`` and answers
   ``GetDownloadUrlForLayer`` with an HTTP 500. Added: ``CompleteLayerUpload``
   also keeps the bytes (``Repository.blobs``, digest -> bytes), and
   ``GetDownloadUrlForLayer`` answers ``{downloadUrl, layerDigest}`` with a
   URL on this server, ``/_bulkhead/ecr-blobs/ACCOUNT/REGION/REPOSITORY/DIGEST``
   plus a fake ``X-Amz-Signature`` query (plain http: bulkhead accepts http
   download URLs only when its endpoint is overridden). A GET of that path
   answers the bytes (404 for an unknown blob). A digest the repository has
   no blob for gives ``LayersNotFoundException``, as ECR does. bulkhead reads
   image config blobs this way; the seeder uploads them through the real
   upload calls. For blobs too large to upload as JSON parts (the layer
   benchmark's), ``POST /_bulkhead/ecr-blob-file`` (a test-bed control;
   JSON ``account``, ``region``, ``repository``, ``digest``, ``path``) keeps
   a local file as the blob of that digest, read from disk and streamed in
   1 MiB chunks at each GET, never held in memory.

8. Running ECS tasks (``RunTask``, ``DescribeTasks``). moto 5.2.5 gives a
   task one container (the task definition's first), without
   ``imageDigest``, and never a public IP. Added: a task gets one container
   per container definition, each with ``name``, ``image`` and
   ``imageDigest``: the digest the reference resolves to in the emulated ECR
   of the account when the task starts (the pinned digest of a reference
   with ``@sha256:``; the digest the tag points at for a tag in the
   account's own ECR, as ECS resolves a tag once, at start, so a tag pushed
   over later leaves running tasks on the old digest; for any other
   registry, ``sha256`` of the reference text, a stand-in the emulator
   cannot do better than). A task started with ``assignPublicIp: ENABLED``
   gets a public IP on its network interface (``Association.PublicIp`` in
   ``DescribeNetworkInterfaces``), as on Fargate.
9. ``PutImage`` with a tag that another image of a MUTABLE repository has
   moves the tag and leaves the other image in the repository, untagged, as
   ECR does; moto 5.2.5 deletes it (through ``BatchDeleteImage``) when it
   had no other tag, so a task still running it would run an image that is
   nowhere. IMMUTABLE repositories are left to moto (it refuses the push).
10. ``DescribeImageScanFindings`` answers as real ECR does for the
    registry's scanning type (``PutRegistryScanningConfiguration``, BASIC
    by default): under ENHANCED (Amazon Inspector) the answer's
    ``imageScanFindings`` carries ``enhancedFindings`` and no ``findings``;
    under BASIC, ``findings`` and no ``enhancedFindings``. The result is
    moto's (set through its ``/moto-api/static/ecr/scan-finding-results``
    API, which the seeder fills with both lists, or moto's default); a
    result without ``enhancedFindings`` under ENHANCED is answered without
    any, which is how an image Inspector has not reported on looks. The
    list is paged by ``maxResults`` (1..1000, default 100) and
    ``nextToken`` (a plain offset), as ECR pages it; moto 5.2.5 answers
    the stored result whole, with both lists, whatever the scanning type.
11. ECR managed signing. moto 5.2.5 has none of its calls. Added:
    ``PutSigningConfiguration`` (the seeder's; stores the registry's
    ``signingConfiguration`` per account and region, rules checked for a
    ``signingProfileArn`` and filters of type ``WILDCARD_MATCH``, else
    ``InvalidParameterException``), ``GetSigningConfiguration`` (answers
    ``{registryId, signingConfiguration}``, or
    ``SigningConfigurationNotFoundException`` when none was put, as ECR does),
    and ``DescribeImageSigningStatus`` (``{repositoryName, imageId, registryId,
    signingStatuses}``; moto's ``RepositoryNotFoundException`` and
    ``ImageNotFoundException`` for an unknown repository or image). The
    statuses are fixed when an image is pushed (``ECRBackend.put_image``):
    one ``{signingProfileArn, status: COMPLETE}`` per rule of the
    configuration at that moment whose filters match the repository (``*``
    matches any run of characters; a rule without filters matches every
    repository). An image pushed before the configuration, or into a
    repository no rule matches, has ``signingStatuses: []``. Unlike ECR, the
    emulator stores no signature artifact for a signed image, so only the
    status says it is signed: that is the path the test bed exercises.

Also: ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` is set before moto is imported,
so AWS managed policies (SecurityAudit, ReadOnlyAccess, ...) exist in IAM.

Besides, the server listens with a backlog of 4096 instead of werkzeug's 128.
Nothing else of moto is changed; the patches are applied by ``apply_patches()``.
On SIGTERM/SIGINT the process exits at once (``os._exit``) instead of
tearing down moto's in-memory state, which takes seconds once accounts exist.
"""

from __future__ import annotations

import base64
import copy
from datetime import datetime
import json
import os
import re
import sys

os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"

from moto.core.exceptions import ServiceException  # noqa: E402
from moto.ecr.exceptions import InvalidParameterException  # noqa: E402
from moto.ecr.models import ECRBackend, Image  # noqa: E402
from moto.ecr.responses import ECRResponse  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402
from moto.cloudtrail.responses import CloudTrailResponse  # noqa: E402

import edge  # noqa: E402  (the network's edge: localstack/edge.py)


def _manifest(image: Image) -> dict:
    try:
        parsed = json.loads(image.image_manifest)
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _subject_digest(manifest: dict) -> str | None:
    subject = manifest.get("subject")
    if isinstance(subject, dict) and isinstance(subject.get("digest"), str):
        return subject["digest"]
    return None


def _subject_manifest_digest(self: Image) -> str | None:
    """Image.subject_manifest_digest: the digest in the manifest's subject."""
    return _subject_digest(_manifest(self))


def _scan_result(image: Image) -> dict | None:
    """The DescribeImageScanFindings answer moto holds for the image, if any."""
    if image.scan_finding_results:
        return next(iter(image.scan_finding_results.values()))
    if image.scan_finding_results_queue:
        return image.scan_finding_results_queue[0]
    return None


def _timestamp(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _image_scan_status(self: Image) -> dict | None:
    """Image.image_scan_status: COMPLETE once scanned, as DescribeImageScanFindings says."""
    if not self.last_scan:
        return None
    result = _scan_result(self) or {}
    return result.get("imageScanStatus") or {
        "status": "COMPLETE",
        "description": "The scan was completed successfully.",
    }


def _image_scan_findings_summary(self: Image) -> dict | None:
    """Image.image_scan_findings_summary: the counts DescribeImageScanFindings reports."""
    if not self.last_scan:
        return None
    result = _scan_result(self)
    if result is None:  # moto's default answer
        return {
            "imageScanCompletedAt": self.last_scan,
            "vulnerabilitySourceUpdatedAt": self.last_scan,
            "findingSeverityCounts": {"HIGH": 1},
        }
    findings = result.get("imageScanFindings") or {}
    completed = findings.get("imageScanCompletedAt") or self.last_scan
    return {
        "imageScanCompletedAt": _timestamp(completed),
        "vulnerabilitySourceUpdatedAt": _timestamp(
            findings.get("vulnerabilitySourceUpdatedAt") or completed
        ),
        "findingSeverityCounts": findings.get("findingSeverityCounts") or {},
    }


_moto_describe_images = ECRBackend.describe_images


def _backend_describe_images(self: ECRBackend, repository_name, registry_id=None, image_ids=None):
    """ECRBackend.describe_images, after handing pending scan results to their images."""
    repository = self._get_repository(repository_name, registry_id)
    for result in self.scan_finding_results.copy():
        if result.get("repositoryName") != repository.name:
            continue
        tag = (result.get("imageId") or {}).get("imageTag")
        digest = (result.get("imageId") or {}).get("imageDigest")
        for image in repository.images:
            # A result names its image by tag or digest; an absent one must
            # not match an untagged image's None (moto's own hand-over can
            # afford that, it only ever looks at the image asked about).
            if (not tag and not digest) or (tag and tag == image.image_tag) or (digest and digest == image.image_digest):
                image.scan_finding_results_queue.append(result)
                self.scan_finding_results.remove(result)
                break
    return _moto_describe_images(self, repository_name, registry_id, image_ids)


def _page_start(response: ECRResponse) -> int:
    """Where the page a ``nextToken`` asks for starts: the tokens are plain offsets."""
    token = response._get_param("nextToken")
    if not token:
        return 0
    try:
        return int(base64.b64decode(token).decode())
    except ValueError:
        raise InvalidParameterException("Invalid parameter at 'nextToken'")


def _response_describe_image_scan_findings(self: ECRResponse) -> ActionResult:
    """ECRResponse.describe_image_scan_findings: the scanning type's list, one page of it."""
    max_results = self._get_param("maxResults") or 100
    if not isinstance(max_results, int) or not 1 <= max_results <= 1000:
        raise InvalidParameterException("Invalid parameter at 'maxResults' failed to satisfy constraint: 1..1000")
    start = _page_start(self)
    result = self.ecr_backend.describe_image_scan_findings(
        registry_id=self._get_param("registryId"),
        repository_name=self._get_param("repositoryName"),
        image_id=self._get_param("imageId"),
    )
    answer = copy.deepcopy(result)
    answer.pop("nextToken", None)
    findings = answer.get("imageScanFindings")
    if isinstance(findings, dict):
        enhanced = self.ecr_backend.registry_scanning_configuration.get("scanType") == "ENHANCED"
        kept, dropped = ("enhancedFindings", "findings") if enhanced else ("findings", "enhancedFindings")
        findings.pop(dropped, None)
        listed = findings.get(kept)
        if isinstance(listed, list):
            findings[kept] = listed[start : start + max_results]
            if start + max_results < len(listed):
                answer["nextToken"] = base64.b64encode(str(start + max_results).encode()).decode()
    return ActionResult(answer)


def _backend_list_image_referrers(
    self: ECRBackend,
    repository_name: str,
    registry_id: str | None,
    subject_digest: str,
    artifact_types: list[str] | None,
    artifact_status: str | None,
) -> list[dict]:
    """ECRBackend.list_image_referrers: referrers of one image, push order."""
    repository = self._get_repository(repository_name, registry_id)
    if artifact_status not in (None, "ANY", "ACTIVE"):
        return []  # every moto image is ACTIVE (moto has no archiving)
    referrers = []
    for image in repository.images:
        manifest = _manifest(image)
        if _subject_digest(manifest) != subject_digest:
            continue
        artifact_type = manifest.get("artifactType") or (
            manifest.get("config") or {}
        ).get("mediaType")
        if artifact_types and artifact_type not in artifact_types:
            continue
        referrer = {
            "digest": image.get_image_digest(),
            "mediaType": manifest.get("mediaType")
            or image.image_manifest_media_type,
            "artifactType": artifact_type,
            "size": len(image.image_manifest.encode("utf-8")),
            "artifactStatus": "ACTIVE",
        }
        if manifest.get("annotations"):
            referrer["annotations"] = manifest["annotations"]
        referrers.append(referrer)
    return referrers


def _response_list_image_referrers(self: ECRResponse) -> ActionResult:
    """ECRResponse.list_image_referrers: the ListImageReferrers action."""
    filter_ = self._get_param("filter") or {}
    referrers = self.ecr_backend.list_image_referrers(
        repository_name=self._get_param("repositoryName"),
        registry_id=self._get_param("registryId"),
        subject_digest=(self._get_param("subjectId") or {}).get("imageDigest"),
        artifact_types=filter_.get("artifactTypes"),
        artifact_status=filter_.get("artifactStatus"),
    )
    start = _page_start(self)
    max_results = self._get_param("maxResults") or len(referrers) or 1
    page = referrers[start : start + max_results]
    result: dict = {"referrers": page}
    if start + max_results < len(referrers):
        next_start = str(start + max_results).encode()
        result["nextToken"] = base64.b64encode(next_start).decode()
    return ActionResult(result)


class SigningConfigurationNotFoundException(ServiceException):
    code = "SigningConfigurationNotFoundException"


def _signing_rules(configuration) -> list[dict]:
    """The rules of a PutSigningConfiguration request, checked as ECR checks them."""
    rules = (configuration or {}).get("rules")
    if not isinstance(rules, list):
        raise InvalidParameterException("Invalid parameter at 'signingConfiguration.rules': a list is required")
    for rule in rules:
        if not isinstance(rule, dict) or not isinstance(rule.get("signingProfileArn"), str):
            raise InvalidParameterException("Invalid parameter at 'signingConfiguration.rules': signingProfileArn is required")
        for filter_ in rule.get("repositoryFilters") or []:
            if filter_.get("filterType") != "WILDCARD_MATCH" or not isinstance(filter_.get("filter"), str):
                raise InvalidParameterException(
                    "Invalid parameter at 'repositoryFilters': filterType must be WILDCARD_MATCH with a filter"
                )
    return rules


def _wildcard_matches(pattern: str, name: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), name) is not None


def _signing_statuses_at_push(backend: ECRBackend, repository_name: str) -> list[dict]:
    """What ECR managed signing reports for an image pushed now (item 11)."""
    configuration = getattr(backend, "signing_configuration", None) or {}
    statuses = []
    for rule in configuration.get("rules") or []:
        filters = rule.get("repositoryFilters") or []
        if not filters or any(_wildcard_matches(f["filter"], repository_name) for f in filters):
            statuses.append({"signingProfileArn": rule["signingProfileArn"], "status": "COMPLETE"})
    return statuses


def _with_signing_statuses(put_image):
    """ECRBackend.put_image, fixing the new image's managed signing statuses (item 11)."""

    def call(self, repository_name, image_manifest, image_tag, image_manifest_mediatype=None, digest=None):
        image = put_image(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)
        if not hasattr(image, "signing_statuses"):  # a new tag on a known image keeps its statuses
            image.signing_statuses = _signing_statuses_at_push(self, repository_name)
        return image

    return call


def _response_put_signing_configuration(self: ECRResponse) -> ActionResult:
    configuration = {"rules": _signing_rules(self._get_param("signingConfiguration"))}
    self.ecr_backend.signing_configuration = configuration
    return ActionResult({"signingConfiguration": configuration})


def _response_get_signing_configuration(self: ECRResponse) -> ActionResult:
    configuration = getattr(self.ecr_backend, "signing_configuration", None)
    if configuration is None:
        raise SigningConfigurationNotFoundException(
            f"Signing configuration not found for registry with id '{self.current_account}'"
        )
    return ActionResult({"registryId": self.current_account, "signingConfiguration": configuration})


def _response_describe_image_signing_status(self: ECRResponse) -> ActionResult:
    name = self._get_param("repositoryName")
    image_id = self._get_param("imageId") or {}
    repository = self.ecr_backend._get_repository(name, self._get_param("registryId"))
    image = repository._get_image(image_id.get("imageTag"), image_id.get("imageDigest"))
    answered_id = {"imageDigest": image.get_image_digest()}
    if image_id.get("imageTag"):
        answered_id["imageTag"] = image_id["imageTag"]
    return ActionResult(
        {
            "repositoryName": repository.name,
            "imageId": answered_id,
            "registryId": repository.registry_id,
            "signingStatuses": getattr(image, "signing_statuses", []),
        }
    )


def _response_get_trail_status(self: CloudTrailResponse) -> str:
    import calendar
    import time

    name = self._get_param("Name")
    status = self.cloudtrail_backend.get_trail_status(name)
    desc = status.description()
    trail = next(
        (
            t
            for t in self.cloudtrail_backend.describe_trails(include_shadow_trails=True)
            if t.trail_name == name or t.arn == name
        ),
        None,
    )
    if trail is not None and trail.cw_log_group_arn and status.is_logging:
        # The time logging started, not "now": two scans of an unchanged
        # trail must read the same status (the fault tests compare them).
        started = calendar.timegm(status.started.utctimetuple()) if status.started else time.time()
        desc["LatestCloudWatchLogsDeliveryTime"] = int(started)
    return json.dumps(desc)


class LayersNotFoundException(ServiceException):
    code = "LayersNotFoundException"


_BLOB_PATH = "/_bulkhead/ecr-blobs/"
_moto_complete_layer_upload = ECRBackend.complete_layer_upload


def _backend_complete_layer_upload(self: ECRBackend, repository_name, upload_id, layer_digests, registry_id=None):
    """ECRBackend.complete_layer_upload, keeping the uploaded bytes."""
    repository = self._get_repository(repository_name, registry_id)
    upload = repository.uploads.get(upload_id)
    data = bytes(upload.layer_parts) if upload is not None else b""
    result = _moto_complete_layer_upload(self, repository_name, upload_id, layer_digests, registry_id=registry_id)
    if not hasattr(repository, "blobs"):
        repository.blobs = {}
    repository.blobs[result["layerDigest"]] = data
    return result


def _response_get_download_url_for_layer(self: ECRResponse) -> ActionResult:
    """ECRResponse.get_download_url_for_layer: a URL on this server for a kept blob."""
    from urllib.parse import quote

    name = self._get_param("repositoryName")
    digest = self._get_param("layerDigest")
    repository = self.ecr_backend._get_repository(name, self._get_param("registryId"))
    if digest not in getattr(repository, "blobs", {}):
        raise LayersNotFoundException(
            f"The image layer '{digest}' does not exist in the repository with name '{name}' "
            f"in the registry with id '{repository.registry_id}'"
        )
    host = self.headers.get("Host") or "127.0.0.1"
    url = (
        f"http://{host}{_BLOB_PATH}{self.current_account}/{self.region}/{quote(name, safe='')}/{digest}"
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=bulkhead-emulator"
    )
    return ActionResult({"downloadUrl": url, "layerDigest": digest})


def _blob(path: str) -> bytes | _FileBlob | None:
    """The bytes a download URL path names, if kept."""
    from urllib.parse import unquote

    from moto.ecr.models import ecr_backends

    try:
        # The server may hand the path over with %2F decoded: a repository
        # name (`team/app`) keeps its slashes between region and digest.
        account, region, rest = path[len(_BLOB_PATH):].split("/", 2)
        name, digest = rest.rsplit("/", 1)
        repository = ecr_backends[account][region].repositories[unquote(name)]
    except (ValueError, KeyError):
        return None
    return getattr(repository, "blobs", {}).get(digest)


class _FileBlob:
    """A blob kept as a path on disk (docstring, item 7), streamed when read."""

    CHUNK = 1 << 20

    def __init__(self, path: str) -> None:
        self.path = path
        self.size = os.path.getsize(path)

    def chunks(self):
        with open(self.path, "rb") as file:
            while chunk := file.read(self.CHUNK):
                yield chunk


def _keep_blob_file(control: dict) -> None:
    """Keeps ``control["path"]`` as the blob ``control["digest"]`` of a repository."""
    from moto.ecr.models import ecr_backends

    repository = ecr_backends[control["account"]][control["region"]].repositories[control["repository"]]
    if not hasattr(repository, "blobs"):
        repository.blobs = {}
    repository.blobs[control["digest"]] = _FileBlob(control["path"])


def _set_iam_state(state: dict) -> None:
    """The IAM part of the test-bed control (item 4 of the module docstring)."""
    from datetime import timedelta

    from moto.iam.models import iam_backends

    backend = iam_backends[state["account"]]["global"]
    summary = backend.account_summary
    root_mfa = state.get("root_mfa", "none")
    if root_mfa not in ("none", "virtual", "hardware"):
        raise ValueError(f"root_mfa: {root_mfa!r} is not none, virtual or hardware")
    summary._account_mfa_enabled = 0 if root_mfa == "none" else 1
    if root_mfa == "virtual":
        backend.create_virtual_mfa_device("root-account-mfa-device", "/")
    summary._account_access_keys_present = 1 if state.get("root_access_key") else 0
    for user_name, days in (state.get("access_key_age_days") or {}).items():
        for key in backend.get_user(user_name).access_keys:
            key.create_date = key.create_date - timedelta(days=int(days))


_EMPTY_FIRST_PAGE = "bulkhead-empty-first-page"


def _organization_member(account_id: str) -> bool:
    from moto.organizations.models import organizations_backends

    return account_id in organizations_backends.master_accounts


def _trusted_external_id(document: str) -> str | None:
    """The sts:ExternalId a trust policy's StringEquals condition requires, if any."""
    try:
        policy = json.loads(document)
    except (TypeError, ValueError):
        return None
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        wanted = ((statement.get("Condition") or {}).get("StringEquals") or {}).get("sts:ExternalId")
        if wanted is not None:
            return wanted[0] if isinstance(wanted, list) else wanted
    return None


def _wrap_assume_role(assume_role):
    """STSBackend.assume_role, refusing a missing role in organization members (item 6a)."""

    def call(self, region_name, role_session_name, role_arn, policy, duration, external_id):
        from moto.iam.models import iam_backends
        from moto.sts.exceptions import STSClientError

        account_id = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
        if _organization_member(account_id):
            roles = iam_backends[account_id]["global"].roles.values()
            role = next((role for role in roles if role.arn == role_arn), None)
            denied = f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            if role is None:
                raise STSClientError("AccessDenied", denied)
            wanted = _trusted_external_id(role.assume_role_policy_document)
            if wanted is not None and wanted != external_id:
                raise STSClientError("AccessDenied", denied)
        return assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id)

    return call


def _list_accounts(self) -> str:
    """OrganizationsResponse.list_accounts, with an empty first page (item 6b)."""
    # moto answers an account outside any organization with an empty list;
    # AWS refuses it, and so does describe_organization.
    self.organizations_backend.describe_organization()
    token = self._get_param("NextToken")
    if token is None:
        return json.dumps({"Accounts": [], "NextToken": _EMPTY_FIRST_PAGE})
    accounts, next_token = self.organizations_backend.list_accounts(
        max_results=self._get_int_param("MaxResults"),
        next_token=None if token == _EMPTY_FIRST_PAGE else token,
    )
    return json.dumps({"Accounts": accounts, "NextToken": next_token})


def _control(app_call):
    """Wraps moto's WSGI entry point to answer the test-bed control paths."""

    def call(self, environ, start_response):
        path = environ.get("PATH_INFO") or ""
        if path.startswith(_BLOB_PATH) and environ.get("REQUEST_METHOD") == "GET":
            data = _blob(path)
            if data is None:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"no such blob"]
            if isinstance(data, _FileBlob):
                start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(data.size))])
                return data.chunks()
            start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(data)))])
            return [data]
        controls = {"/_bulkhead/iam": _set_iam_state, "/_bulkhead/ecr-blob-file": _keep_blob_file}
        if path not in controls:
            return app_call(self, environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            controls[path](json.loads(environ["wsgi.input"].read(length)))
        except Exception as err:  # answer the seeder with the reason, whatever it is
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [f"{type(err).__name__}: {err}".encode()]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return call


def _resolved_digest(account_id: str, image: str) -> str:
    """The digest ECS would start ``image`` with (docstring, item 8)."""
    import hashlib
    import re

    from moto.ecr.models import ecr_backends

    name, _, pinned = image.partition("@")
    if pinned:
        return pinned
    match = re.match(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/(.+)$", name)
    if match and match.group(1) == account_id:
        path = match.group(3)
        last = path.rfind(":")
        repository, tag = (path[:last], path[last + 1:]) if last > path.rfind("/") else (path, "latest")
        try:
            found = ecr_backends[account_id][match.group(2)].repositories[repository]._get_image(tag, None)
            return found.get_image_digest()
        except Exception:  # noqa: BLE001 - an image ECS could not pull: the stand-in below
            pass
    return "sha256:" + hashlib.sha256(image.encode()).hexdigest()


def _wrap_task_init(task_init):
    """Task.__init__ with a container per definition and a public IP (docstring, item 8)."""

    def init(self, cluster, task_definition, *args, **kwargs):
        task_init(self, cluster, task_definition, *args, **kwargs)
        self.containers = []
        for definition in task_definition.container_definitions:
            container = _TaskContainer(task_definition, definition)
            container.image_digest = _resolved_digest(self._account_id, container.image or "")
            self.containers.append(container)
        network = kwargs.get("networking_configuration") or {}
        if network.get("awsvpcConfiguration", {}).get("assignPublicIp") == "ENABLED":
            from moto.ec2.models import ec2_backends
            from moto.ec2.utils import random_public_ip

            backend = ec2_backends[self._account_id][self.region_name]
            for attachment in self.attachments:
                for detail in attachment["details"]:
                    if detail["name"] == "networkInterfaceId":
                        backend.get_network_interface(detail["value"]).public_ip = random_public_ip()

    return init


class _TaskContainer:
    """A running container as DescribeTasks reports it (moto's Container takes the first definition only)."""

    def __init__(self, task_definition, definition: dict):
        from moto.moto_api._internal import mock_random

        self.container_arn = f"{task_definition.arn}/{mock_random.uuid4()}"
        self.task_arn = task_definition.arn
        self.name = definition.get("name")
        self.image = definition.get("image")
        self.image_digest: str | None = None
        self.last_status = "RUNNING"
        self.health_status = "HEALTHY"
        self.cpu = definition.get("cpu", 0)
        self.memory = definition.get("memory")
        self.network_interfaces: list = []


def _wrap_put_image(put_image):
    """ECRBackend.put_image, untagging instead of deleting (docstring, item 9)."""

    def call(self, repository_name, image_manifest, image_tag, image_manifest_mediatype=None, digest=None):
        repository = self.repositories.get(repository_name)
        if repository is not None and image_tag and repository.image_tag_mutability == "MUTABLE":
            for image in repository.images:
                if image_tag in image.image_tags and (digest is None or image.get_image_digest() != digest):
                    image.remove_tag(image_tag)
                    if not image.image_tags:
                        image.image_tag = None
        return put_image(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)

    return call


def apply_patches() -> None:
    """Install the additions described in the module docstring."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from werkzeug.serving import BaseWSGIServer

    # werkzeug listens with a backlog of 128. Scans running side by side
    # (each with up to --max-concurrency calls in flight, and the fault
    # proxy opening an upstream connection per call) overflow it, and a
    # dropped SYN is retried after 1, 2, 4, ... s: one call took 63 s.
    BaseWSGIServer.request_queue_size = 4096

    DomainDispatcherApplication.__call__ = _control(DomainDispatcherApplication.__call__)
    from moto.organizations.responses import OrganizationsResponse
    from moto.sts.models import STSBackend

    STSBackend.assume_role = _wrap_assume_role(STSBackend.assume_role)
    OrganizationsResponse.list_accounts = _list_accounts
    CloudTrailResponse.get_trail_status = _response_get_trail_status
    Image.subject_manifest_digest = property(_subject_manifest_digest)
    Image.image_scan_status = property(_image_scan_status)
    Image.image_scan_findings_summary = property(_image_scan_findings_summary)
    ECRBackend.describe_images = _backend_describe_images
    ECRBackend.list_image_referrers = _backend_list_image_referrers
    ECRResponse.list_image_referrers = _response_list_image_referrers
    ECRResponse.describe_image_scan_findings = _response_describe_image_scan_findings
    ECRBackend.complete_layer_upload = _backend_complete_layer_upload
    ECRResponse.get_download_url_for_layer = _response_get_download_url_for_layer
    # Item 9's untagging runs first; item 11 then fixes the new image's statuses.
    ECRBackend.put_image = _with_signing_statuses(_wrap_put_image(ECRBackend.put_image))
    ECRResponse.put_signing_configuration = _response_put_signing_configuration
    ECRResponse.get_signing_configuration = _response_get_signing_configuration
    ECRResponse.describe_image_signing_status = _response_describe_image_signing_status
    from moto.ecs.models import Task

    Task.__init__ = _wrap_task_init(Task.__init__)
    edge.apply_patches()
    import eks_detection

    eks_detection.apply()


def main(argv: list[str] | None = None) -> None:
    apply_patches()
    from moto.server import main as moto_main

    try:
        moto_main(argv if argv is not None else sys.argv[1:])
    except SystemExit as stop:  # moto's SIGTERM/SIGINT handler calls sys.exit(0)
        if stop.code is not None and not isinstance(stop.code, int):
            raise
        # Leave without tearing down moto's in-memory state: that takes 1-2 s
        # once accounts were seeded, and there is nothing to save.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(stop.code or 0)


if __name__ == "__main__":
    main()
