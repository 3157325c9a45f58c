"""seed.py's command line: parse the fixture, seed the account, print the scan role's credentials.

The contract (arguments, stdout, stderr, exit status) is in localstack/seed.py's docstring.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
import traceback

import yaml

from .core import SeedError, Seeder, log
from .fixture import parse_fixture, seed
from .organization import seed_organization
from .validate import FixtureError

SEED_ROLE = "bulkhead-seed"
SCAN_ROLE = "bulkhead-scan"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="seed.py",
        description="Seed one emulated AWS account from a YAML fixture; print scan credentials as JSON.",
    )
    parser.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:4566")
    parser.add_argument("--account", required=True, help="12-digit account id to seed")
    parser.add_argument("fixture", help="fixture YAML file")
    args = parser.parse_args(argv)

    if not re.fullmatch(r"\d{12}", args.account):
        parser.error(f"--account must be 12 digits, got {args.account!r}")
    if not re.match(r"^https?://", args.endpoint):
        parser.error(f"--endpoint must be an http(s) URL, got {args.endpoint!r}")
    # Only the explicit credentials and endpoint below may apply.
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)

    started = time.monotonic()
    try:
        try:
            with open(args.fixture, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except OSError as e:
            raise FixtureError(f"cannot read fixture: {e}") from None
        except yaml.YAMLError as e:
            raise FixtureError(f"invalid YAML: {e}") from None
        regions, account_iam, org = parse_fixture(doc)

        seeder = Seeder(args.endpoint.rstrip("/"), args.account)
        seed_creds = seeder.assume(SEED_ROLE, "test", "test")
        seeder.use(seed_creds)
        seeder.check_regions([region.name for region in regions])
        log(f"seeding account {args.account} at {args.endpoint} from {args.fixture}")
        seed(seeder, regions, account_iam)
        seeded_org = seed_organization(seeder, seed_creds, org) if org is not None else None
        scan = seeder.assume(SCAN_ROLE, "test", "test")
    except FixtureError as e:
        log(f"error: {args.fixture}: {e}")
        return 2
    except SeedError as e:
        log(f"error: {e}")
        return 1
    except Exception as e:  # a bug here or an emulator answer we did not expect
        traceback.print_exc()
        log(f"error: unexpected {type(e).__name__}: {e}")
        return 1
    log(f"done in {time.monotonic() - started:.1f}s; scan role {SCAN_ROLE} credentials on stdout")
    printed = {
        "account_id": args.account,
        "access_key_id": scan["AccessKeyId"],
        "secret_access_key": scan["SecretAccessKey"],
        "session_token": scan["SessionToken"],
    }
    if seeded_org is not None:
        printed["organization"] = seeded_org
    print(json.dumps(printed), flush=True)
    return 0
