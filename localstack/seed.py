"""Seed one emulated AWS account from a YAML fixture, print scan credentials.

Usage:
    localstack/.venv/bin/python localstack/seed.py \\
        --endpoint http://127.0.0.1:4566 --account 123456789012 FIXTURE.yaml

Assumes arn:aws:iam::<account>:role/bulkhead-seed (with the emulator's
default credentials test/test), so every resource lands in <account>; creates
what the fixture describes with boto3; then assumes
arn:aws:iam::<account>:role/bulkhead-scan and prints ONE line of JSON on
stdout: {"account_id", "access_key_id", "secret_access_key", "session_token"},
plus "organization" ({"root", "units", "accounts"}: ids by name) when the
fixture has an organization section.
Logs go to stderr. Exit status: 0 done, 1 seeding failed, 2 bad usage or
fixture (the fixture is validated in full before anything is created).

The fixture format is defined once, in localstack/seeding/schema.py; the
reference generated from it is the "Fixture format" section of
localstack/README.md (`python3 localstack/seeding/schema.py` prints it).

The code is the package localstack/seeding/: cli.py (this command), fixture.py
(the whole fixture: parse, then seed in order), one module per service
(ec2.py, ecr.py, cloudtrail.py, ecs.py, iam.py, organization.py: its parsed
dataclasses, its parser and its seeding calls), validate.py (the parser's checks), oci.py (the
manifests pushed to ECR), core.py (the session, step and SeedError), schema.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # e.g. python -I, which leaves the script's directory out
    sys.path.insert(0, _HERE)

from seeding.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
