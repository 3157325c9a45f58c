"""Loads every OCSF object of a bulkhead `.ocsf.json` with py-ocsf-models,
the OCSF library Prowler uses (pinned in localstack/requirements.txt).

    python ocsf_load.py REPORT.ocsf.json

Prints one JSON line, {"objects": N, "loaded": N, "failures": [...]}, each
failure with the object's index, finding uid and pydantic's first errors, and
exits 1 when any object does not load (2: the file is not a JSON array).
"""

import json
import sys

from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from pydantic import ValidationError


def main(path):
    with open(path, encoding="utf-8") as file:
        events = json.load(file)
    if not isinstance(events, list):
        print(json.dumps({"error": f"{path} is not a JSON array"}))
        return 2
    failures = []
    for index, event in enumerate(events):
        try:
            finding = DetectionFinding.model_validate(event)
            # The model must keep what bulkhead set, not merely tolerate it.
            assert finding.cloud.account.name, "cloud.account.name is empty"
            assert finding.resources and all(r.uid and r.type for r in finding.resources), "resources lack uid/type"
        except (ValidationError, AssertionError, AttributeError) as err:
            errors = err.errors()[:5] if isinstance(err, ValidationError) else [str(err)]
            uid = (event.get("finding_info") or {}).get("uid") if isinstance(event, dict) else None
            failures.append({"index": index, "uid": uid, "errors": json.loads(json.dumps(errors, default=str))})
    print(json.dumps({"objects": len(events), "loaded": len(events) - len(failures), "failures": failures[:20]}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
