"""Additions to moto 5.2.5 for EKS access and Inspector's account status.

Installed by ``server.py`` (``eks_detection.apply()``); documented in
localstack/README.md ("EKS and Inspector additions"). GuardDuty detector
features and ECS task sets' network configuration need nothing: moto keeps
and answers them as given.

1. ``CreateCluster`` keeps ``accessConfig.authenticationMode`` (default
   ``CONFIG_MAP``, as the EKS API's default) and ``upgradePolicy``
   (``supportType``, default ``EXTENDED``), and ``DescribeCluster`` reports
   both; moto 5.2.5 drops them.
2. Access entries: ``CreateAccessEntry``, ``ListAccessEntries``,
   ``AssociateAccessPolicy`` and ``ListAssociatedAccessPolicies`` (moto 5.2.5
   answers them 404). Entries are kept per cluster, in creation order; a
   cluster in ``CONFIG_MAP`` mode refuses them with
   ``InvalidRequestException``, as EKS does. Lists page by ``maxResults`` and
   ``nextToken`` (a plain offset).
3. ``BatchGetAccountStatus`` (Inspector) answers an account that never
   enabled Inspector with every resource ``DISABLED``, as Inspector does;
   moto 5.2.5 leaves such an account out of the answer.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult


class _InvalidRequest(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidRequestException", message)


class _NotFound(JsonRESTError):
    code = 404

    def __init__(self, message: str):
        super().__init__("ResourceNotFoundException", message)


def _body(response) -> dict:
    try:
        return json.loads(response.body or "{}")
    except ValueError:
        return {}


def _wrap_create_cluster(create_cluster):
    def wrapped(self):
        result = create_cluster(self)
        body = _body(self)
        cluster = self.eks_backend.clusters[body["name"]]
        access = body.get("accessConfig") or {}
        cluster.access_config = {
            "authenticationMode": access.get("authenticationMode", "CONFIG_MAP"),
            "bootstrapClusterCreatorAdminPermissions": access.get("bootstrapClusterCreatorAdminPermissions", True),
        }
        cluster.upgrade_policy = {"supportType": (body.get("upgradePolicy") or {}).get("supportType", "EXTENDED")}
        cluster.access_entries = {}
        return result

    return wrapped


def _cluster(response, name: str):
    cluster = response.eks_backend.clusters.get(name)
    if cluster is None:
        raise _NotFound(f"No cluster found for name: {name}.")
    mode = (getattr(cluster, "access_config", None) or {}).get("authenticationMode", "CONFIG_MAP")
    if mode not in ("API", "API_AND_CONFIG_MAP"):
        raise _InvalidRequest("The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP].")
    if not hasattr(cluster, "access_entries"):
        cluster.access_entries = {}
    return cluster


def _path_parts(response) -> list[str]:
    return [unquote(part) for part in response.path.split("?")[0].strip("/").split("/")]


def _page(response, items: list, key: str) -> ActionResult:
    start = int(response._get_param("nextToken") or response.querystring.get("nextToken", ["0"])[0] or 0)
    size = int(response.querystring.get("maxResults", ["100"])[0])
    result = {key: items[start : start + size]}
    if start + size < len(items):
        result["nextToken"] = str(start + size)
    return ActionResult(result)


def _create_access_entry(self) -> ActionResult:
    name = _path_parts(self)[1]
    cluster = _cluster(self, name)
    principal = _body(self)["principalArn"]
    cluster.access_entries.setdefault(principal, [])
    entry = {"clusterName": name, "principalArn": principal, "type": "STANDARD"}
    return ActionResult({"accessEntry": entry})


def _list_access_entries(self) -> ActionResult:
    cluster = _cluster(self, _path_parts(self)[1])
    return _page(self, list(cluster.access_entries), "accessEntries")


def _associate_access_policy(self) -> ActionResult:
    parts = _path_parts(self)
    name, principal = parts[1], "/".join(parts[3:-1])
    cluster = _cluster(self, name)
    if principal not in cluster.access_entries:
        raise _NotFound(f"The specified principalArn could not be found: {principal}.")
    body = _body(self)
    policy = {"policyArn": body["policyArn"], "accessScope": body.get("accessScope", {"type": "cluster"})}
    cluster.access_entries[principal].append(policy)
    return ActionResult({"clusterName": name, "principalArn": principal, "associatedAccessPolicy": policy})


def _list_associated_access_policies(self) -> ActionResult:
    parts = _path_parts(self)
    name, principal = parts[1], "/".join(parts[3:-1])
    cluster = _cluster(self, name)
    if principal not in cluster.access_entries:
        raise _NotFound(f"The specified principalArn could not be found: {principal}.")
    result = _page(self, cluster.access_entries[principal], "associatedAccessPolicies")
    return result


def _batch_get_account_status(batch_get_account_status):
    def wrapped(self, account_ids):
        from moto.inspector2.models import AccountStatus

        answered = batch_get_account_status(self, account_ids)
        known = {status["accountId"] for status in answered}
        return answered + [AccountStatus(acct).to_batch_json() for acct in account_ids if acct not in known]

    return wrapped


def apply() -> None:
    from moto.eks import urls as eks_urls
    from moto.eks.responses import EKSResponse
    from moto.inspector2.models import Inspector2Backend

    EKSResponse.create_cluster = _wrap_create_cluster(EKSResponse.create_cluster)
    EKSResponse.create_access_entry = _create_access_entry
    EKSResponse.list_access_entries = _list_access_entries
    EKSResponse.associate_access_policy = _associate_access_policy
    EKSResponse.list_associated_access_policies = _list_associated_access_policies
    eks_urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries$"] = EKSResponse.dispatch
    eks_urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)/access-policies$"] = (
        EKSResponse.dispatch
    )
    Inspector2Backend.batch_get_account_status = _batch_get_account_status(Inspector2Backend.batch_get_account_status)
