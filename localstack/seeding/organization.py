"""AWS Organizations: the fixture's account as management account, units two levels deep, member accounts.

Fixture keys: seeding/schema.py (ORGANIZATION, ORG_UNIT, ORG_INNER_UNIT,
ORG_ACCOUNT). Members are created with CreateAccount (moto picks their ids),
each seeded like a fixture of its own through OrganizationAccountAccessRole,
given the audit role unless ``audit_role: false``, and closed when
``state: suspended``. server.py makes AssumeRole into a member require a role
that exists there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import iam, schema
from .core import Seeder, log, step
from .validate import FixtureError, _list, _unique, key_bool, key_choice, key_mapping, key_str

ACCESS_ROLE = "OrganizationAccountAccessRole"  # what CreateAccount makes in a new account


@dataclass
class OrgAccount:
    name: str
    email: str
    suspended: bool
    audit_role: bool
    regions: list  # fixture.Region
    iam: iam.Iam | None


@dataclass
class OrgUnit:
    name: str
    accounts: list[OrgAccount] = field(default_factory=list)
    units: list[OrgUnit] = field(default_factory=list)


@dataclass
class Organization:
    audit_role: str
    audit_role_path: str
    external_id: str | None
    accounts: list[OrgAccount]
    units: list[OrgUnit]


# -- parsing --


def _parse_account(raw: Any, path: str) -> OrgAccount:
    from .fixture import parse_regions  # fixture.py imports this module

    shape = schema.ORG_ACCOUNT
    spec = key_mapping(shape, raw, path)
    name = key_str(shape, spec, "name", path)
    email = key_str(shape, spec, "email", path) or f"{name.replace(' ', '-')}@example.com"
    regions = parse_regions(spec.get("regions") or {}, f"{path}.regions")
    account_iam = iam.parse_iam(spec["iam"], f"{path}.iam") if "iam" in spec else None
    return OrgAccount(
        name=name,
        email=email,
        suspended=key_choice(shape, spec, "state", path) == "suspended",
        audit_role=key_bool(shape, spec, "audit_role", path),
        regions=regions,
        iam=account_iam,
    )


def _parse_unit(shape: schema.Shape, raw: Any, path: str) -> OrgUnit:
    spec = key_mapping(shape, raw, path)
    unit = OrgUnit(key_str(shape, spec, "name", path))
    unit.accounts = [_parse_account(a, f"{path}.accounts[{i}]") for i, a in enumerate(_list(spec.get("accounts"), f"{path}.accounts"))]
    if "units" in shape.optional:
        unit.units = [
            _parse_unit(schema.ORG_INNER_UNIT, u, f"{path}.units[{i}]")
            for i, u in enumerate(_list(spec.get("units"), f"{path}.units"))
        ]
    return unit


def _every_unit(units: list[OrgUnit]) -> list[OrgUnit]:
    return [found for unit in units for found in [unit, *_every_unit(unit.units)]]


def every_account(org: Organization) -> list[OrgAccount]:
    return org.accounts + [account for unit in _every_unit(org.units) for account in unit.accounts]


def parse_organization(raw: Any, path: str) -> Organization:
    shape = schema.ORGANIZATION
    spec = key_mapping(shape, raw if raw is not None else {}, path)
    org = Organization(
        audit_role=key_str(shape, spec, "audit_role", path) or shape.key("audit_role").default,
        audit_role_path=key_str(shape, spec, "audit_role_path", path) or shape.key("audit_role_path").default,
        external_id=key_str(shape, spec, "external_id", path),
        accounts=[_parse_account(a, f"{path}.accounts[{i}]") for i, a in enumerate(_list(spec.get("accounts"), f"{path}.accounts"))],
        units=[_parse_unit(schema.ORG_UNIT, u, f"{path}.units[{i}]") for i, u in enumerate(_list(spec.get("units"), f"{path}.units"))],
    )
    _unique([unit.name for unit in _every_unit(org.units)], f"{path}.units", "unit name")
    _unique([account.name for account in every_account(org)], path, "account name")
    if any(account.name == "master" for account in every_account(org)):
        raise FixtureError(f"{path}: `master` is the name moto gives the management account")
    return org


# -- seeding --


def _trust_policy(management: str, external_id: str | None) -> str:
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{management}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def seed_organization(management: Seeder, creds: dict, org: Organization) -> dict:
    """Create the organization; returns {"root", "units": {name: id}, "accounts": {name: id}}."""
    from .fixture import seed  # fixture.py imports this module

    client = management.client("organizations", "us-east-1")
    with step("organizations:CreateOrganization"):
        client.create_organization(FeatureSet="ALL")
        root = client.list_roots()["Roots"][0]["Id"]
    units: dict[str, str] = {}
    accounts: dict[str, str] = {}
    placed: list[tuple[OrgAccount, str]] = [(account, root) for account in org.accounts]

    def create_units(parent: str, children: list[OrgUnit]) -> None:
        for unit in children:
            with step(f"organizations:CreateOrganizationalUnit {unit.name}"):
                units[unit.name] = client.create_organizational_unit(ParentId=parent, Name=unit.name)[
                    "OrganizationalUnit"
                ]["Id"]
            placed.extend((account, units[unit.name]) for account in unit.accounts)
            create_units(units[unit.name], unit.units)

    create_units(root, org.units)
    for account, parent in placed:
        with step(f"organizations:CreateAccount {account.name}"):
            status = client.create_account(Email=account.email, AccountName=account.name)["CreateAccountStatus"]
            accounts[account.name] = status["AccountId"]
            if parent != root:
                client.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=parent)

    for account, _ in placed:
        member = Seeder(management.endpoint, accounts[account.name])
        member.use(member.assume(ACCESS_ROLE, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]))
        member.check_regions([region.name for region in account.regions])
        log(f"seeding member account {member.account} ({account.name})")
        seed(member, account.regions, account.iam)
        if account.audit_role:
            with step(f"{account.name}: iam:CreateRole {org.audit_role}"):
                member.client("iam", "us-east-1").create_role(
                    RoleName=org.audit_role,
                    Path=org.audit_role_path,
                    AssumeRolePolicyDocument=_trust_policy(management.account, org.external_id),
                )
    for account, _ in placed:
        if account.suspended:
            with step(f"organizations:CloseAccount {account.name}"):
                client.close_account(AccountId=accounts[account.name])
    return {"root": root, "units": units, "accounts": accounts}
