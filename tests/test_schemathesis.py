"""Schemathesis against /api/openapi.json: every operation, generated and edge-case requests.

Each case is sent to the WSGI app (a temporary database) and must pass schemathesis' checks (no
5xx, statuses, content types and bodies as documented, valid data accepted, invalid data refused)
plus ours: every 4xx/5xx is an RFC 9457 problem document whose status matches the response.
Request bodies the schema cannot fully describe (an HTML page with no text in it, a claim that is
not in its article, a party not in the registry, an alias over 200 characters once its white space
is collapsed) may be refused with 422 even when schema-valid.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from stance.app import create_app

MODEL = Path(__file__).resolve().parent.parent / "models" / "stance-relations.joblib"
EXAMPLES = int(os.environ.get("STANCE_FUZZ_EXAMPLES", "25"))  # per operation; raise it for a deeper run
CASES: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()

CONTENT_DEPENDENT = ["2xx", "401", "403", "404", "409", "422", "429"]
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {"negative_data_rejection": {"expected-statuses": REJECTED}},
        "operations": [
            {
                "include-method": method,
                "include-path": path,
                "checks": {"positive_data_acceptance": {"expected-statuses": CONTENT_DEPENDENT}},
            }
            for method, path in [
                ("POST", "/api/articles"),
                ("POST", "/api/claims"),
                ("POST", "/api/feedback"),
                ("PUT", "/api/parties"),  # alias lengths count after white space is collapsed
            ]
        ],
    }
)


def make_app():
    """An app on a throwaway database holding one article (so some generated ids exist)."""
    folder = tempfile.mkdtemp(prefix="stance-schemathesis-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    config = {"TESTING": True, "DATABASE": f"{folder}/fuzz.db", "MODEL_PATH": str(MODEL)}
    if not MODEL.exists():
        config["MODEL_PATH"] = None
    app = create_app(config)
    response = app.test_client().post(
        "/api/articles",
        json={"text": 'Officials said the talks had failed. "We will not move," union leader Ana Lima said.'},
    )
    assert response.status_code == 201
    return app


APP = make_app()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP, config=CONFIG)


@schemathesis.check
def errors_are_problem_details(ctx, response, case) -> None:
    """Every 4xx/5xx answer is application/problem+json with type, title, status and detail."""
    if response.status_code < 400:
        return
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()  # lower-case keys
    assert media_type == "application/problem+json", f"{response.status_code} answered as {media_type!r}"
    body = json.loads(response.content)
    assert isinstance(body, dict), "a problem document is a JSON object"
    assert body.get("status") == response.status_code, "the problem's status differs from the response's"
    for member in ("type", "title", "detail"):
        assert isinstance(body.get(member), str) and body[member], f"problem without {member!r}"


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_and_never_fails(case):
    response = case.call()
    CASES[case.operation.label] += 1
    STATUSES[response.status_code] += 1
    case.validate_response(response, additional_checks=[errors_are_problem_details])


@pytest.fixture(scope="module", autouse=True)
def report_cases():
    """Print how many cases ran (pytest -s shows it), and make sure the fuzzing really ran."""
    yield
    if CASES:
        total = sum(CASES.values())
        statuses = dict(sorted(STATUSES.items()))
        print(f"\nschemathesis: {total} cases over {len(CASES)} operations; statuses {statuses}")
        assert 500 not in STATUSES
