"""IAM (global, through us-east-1): password policy, customer managed policies, users, root user state.

Fixture keys: seeding/schema.py (IAM, PASSWORD_POLICY, IAM_POLICY, IAM_USER,
IAM_ROOT). What no AWS API sets (root MFA and key, key ages) goes through
server.py's test-bed control, POST /_bulkhead/iam.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from . import schema
from .core import Seeder, log, step
from .validate import (
    FixtureError,
    _bool,
    _choice,
    _document,
    _int,
    _list,
    _str,
    _unique,
    key_bool,
    key_choice,
    key_int,
    key_mapping,
    key_str,
)


@dataclass
class IamUser:
    name: str
    console_password: bool
    mfa: bool
    access_keys: list[bool]  # one entry per key: active?
    attached_policies: list[str]
    access_key_age_days: int = 0


@dataclass
class IamPolicy:
    name: str
    document: dict


@dataclass
class Iam:
    password_policy: dict | None
    users: list[IamUser]
    policies: list[IamPolicy]
    root_mfa: str = "none"
    root_access_key: bool = False
    account_alias: str | None = None


# -- parsing --


def _password_policy(raw: Any, path: str) -> dict:
    """UpdateAccountPasswordPolicy's arguments."""
    shape = schema.PASSWORD_POLICY
    pp = key_mapping(shape, raw, path)
    policy = {}
    for key in shape.keys:
        if key.name in pp:
            value = pp[key.name]
            if key.kind == "bool":
                policy[key.api] = _bool(value, f"{path}.{key.name}", False)
            else:
                policy[key.api] = _int(value, f"{path}.{key.name}", *key.range)
    return policy


def _user(raw: Any, p: str, known: set[str]) -> IamUser:
    shape = schema.IAM_USER
    u = key_mapping(shape, raw, p)
    keys = []
    for j, k in enumerate(_list(u.get("access_keys"), f"{p}.access_keys")):
        keys.append(_choice(k, f"{p}.access_keys[{j}]", shape.key("access_keys").choices) == "active")
    if len(keys) > 2:
        raise FixtureError(f"{p}.access_keys: IAM allows at most 2 access keys per user")
    attached = []
    for j, a in enumerate(_list(u.get("attached_policies"), f"{p}.attached_policies")):
        a = _str(a, f"{p}.attached_policies[{j}]")
        if not a.startswith("arn:") and a not in known:
            raise FixtureError(f"{p}.attached_policies[{j}]: {a!r} is neither an ARN nor a policy under iam.policies")
        attached.append(a)
    return IamUser(
        name=key_str(shape, u, "name", p),
        console_password=key_bool(shape, u, "console_password", p),
        mfa=key_choice(shape, u, "mfa", p) == "virtual",
        access_keys=keys,
        attached_policies=attached,
        access_key_age_days=key_int(shape, u, "access_key_age_days", p),
    )


def parse_iam(raw: Any, path: str) -> Iam:
    spec = key_mapping(schema.IAM, raw if raw is not None else {}, path)
    policy = _password_policy(spec["password_policy"], f"{path}.password_policy") if "password_policy" in spec else None
    policies = []
    for i, praw in enumerate(_list(spec.get("policies"), f"{path}.policies")):
        p = f"{path}.policies[{i}]"
        pol = key_mapping(schema.IAM_POLICY, praw, p)
        _document(pol["document"], f"{p}.document")
        policies.append(IamPolicy(key_str(schema.IAM_POLICY, pol, "name", p), pol["document"]))
    _unique([p.name for p in policies], f"{path}.policies", "name")
    known = {p.name for p in policies}
    users = [
        _user(uraw, f"{path}.users[{i}]", known) for i, uraw in enumerate(_list(spec.get("users"), f"{path}.users"))
    ]
    _unique([u.name for u in users], f"{path}.users", "name")
    root = key_mapping(schema.IAM_ROOT, spec.get("root") or {}, f"{path}.root")
    return Iam(
        policy,
        users,
        policies,
        root_mfa=key_choice(schema.IAM_ROOT, root, "mfa", f"{path}.root"),
        root_access_key=key_bool(schema.IAM_ROOT, root, "access_key", f"{path}.root"),
        account_alias=key_str(schema.IAM, spec, "account_alias", path),
    )


# -- seeding --


def seed_iam(seeder: Seeder, iam: Iam) -> None:
    client = seeder.client("iam", "us-east-1")
    if iam.account_alias is not None:
        with step(f"iam: account alias {iam.account_alias!r}"):
            client.create_account_alias(AccountAlias=iam.account_alias)
        log(f"iam: account alias {iam.account_alias}")
    if iam.password_policy is not None:
        with step("iam: password policy"):
            client.update_account_password_policy(**iam.password_policy)
        log(f"iam: password policy {iam.password_policy}")
    arns = {}
    for policy in iam.policies:
        with step(f"iam: policy {policy.name!r}"):
            arns[policy.name] = client.create_policy(
                PolicyName=policy.name, PolicyDocument=json.dumps(policy.document)
            )["Policy"]["Arn"]
        log(f"iam: customer managed policy {policy.name}")
    for user in iam.users:
        label = f"iam: user {user.name!r}"
        with step(label):
            client.create_user(UserName=user.name)
            if user.console_password:
                client.create_login_profile(UserName=user.name, Password="Bulkhead-Fixture-Pa55word!")
            if user.mfa:
                serial = client.create_virtual_mfa_device(VirtualMFADeviceName=user.name)["VirtualMFADevice"][
                    "SerialNumber"
                ]
                client.enable_mfa_device(
                    UserName=user.name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
                )
            for active in user.access_keys:
                key = client.create_access_key(UserName=user.name)["AccessKey"]["AccessKeyId"]
                if not active:
                    client.update_access_key(UserName=user.name, AccessKeyId=key, Status="Inactive")
            for name in user.attached_policies:
                client.attach_user_policy(UserName=user.name, PolicyArn=arns.get(name, name))
        log(
            f"{label}: console {'yes' if user.console_password else 'no'}, mfa {'virtual' if user.mfa else 'none'}, "
            f"{len(user.access_keys)} key(s), {len(user.attached_policies)} attached polic(y/ies)"
        )
    _iam_state(seeder, iam)


def _iam_state(seeder: Seeder, iam: Iam) -> None:
    """Root MFA/keys and key ages: no AWS API sets them; server.py's control does."""
    ages = {user.name: user.access_key_age_days for user in iam.users if user.access_key_age_days}
    state = {"account": seeder.account, "root_mfa": iam.root_mfa, "root_access_key": iam.root_access_key}
    if iam.root_mfa == "none" and not iam.root_access_key and not ages:
        return
    request = urllib.request.Request(
        f"{seeder.endpoint}/_bulkhead/iam",
        data=json.dumps({**state, "access_key_age_days": ages}).encode(),
        method="POST",
    )
    with step("iam: root MFA / root key / key ages (emulator control)"):
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
    log(f"iam: root mfa {iam.root_mfa}, root access key {iam.root_access_key}, key ages {ages}")
