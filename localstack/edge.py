"""bulkhead's additions to moto for the network's edge (registered by server.py's ``apply_patches``).

1. WAFv2 ``ListResourcesForWebACL``. moto 5.2.5 keeps the resources
   ``AssociateWebACL`` attached to a web ACL but has no action to list them
   (it answers with an error). Added: the resource ARNs associated with the
   web ACL ``WebACLArn``, filtered by ``ResourceType`` the way AWS does for
   the kinds bulkhead asks about (``APPLICATION_LOAD_BALANCER``, the
   default: ARNs of ``loadbalancer/app/``). An unknown web ACL raises
   moto's ``WAFNonexistentItemException``, as AWS answers
   ``WAFNonexistentItemException``.
"""

from __future__ import annotations

import json

# The ARN marker of each resource type bulkhead lists (the others are not filtered).
_RESOURCE_MARKERS = {"APPLICATION_LOAD_BALANCER": ":loadbalancer/app/"}


def _response_list_resources_for_web_acl(self):
    from moto.wafv2.exceptions import WAFNonexistentItemException

    body = json.loads(self.body)
    web_acl = self.wafv2_backend.wacls.get(body["WebACLArn"])
    if web_acl is None:
        raise WAFNonexistentItemException
    marker = _RESOURCE_MARKERS.get(body.get("ResourceType", "APPLICATION_LOAD_BALANCER"))
    arns = [arn for arn in web_acl.associated_resources if marker is None or marker in arn]
    return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})


def apply_patches() -> None:
    """Install the additions described in the module docstring."""
    from moto.wafv2.responses import WAFV2Response

    WAFV2Response.list_resources_for_web_acl = _response_list_resources_for_web_acl
