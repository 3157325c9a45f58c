"""Validates AWS Batch job definitions (RegisterJobDefinition requests, as
JSON files) against the Batch API model in the test venv's botocore, offline.

Usage: validate_batch.py FILE...   (exit 1 with the problems, else 0)
"""

import json
import sys

import botocore.session
from botocore.validate import ParamValidator


def main(paths):
    model = botocore.session.get_session().get_service_model("batch")
    shape = model.operation_model("RegisterJobDefinition").input_shape
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as file:
            request = json.load(file)
        report = ParamValidator().validate(request, shape)
        if report.has_errors():
            failed = True
            print(f"{path}:\n{report.generate_report()}")
        else:
            print(f"{path}: valid RegisterJobDefinition request")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
