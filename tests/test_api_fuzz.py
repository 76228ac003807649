"""The API against its own schema: schemathesis generates requests from /api/schema/ and calls the WSGI app
in-process as a signed-in provincial official (session cookie, second factor passed).

Bounded and repeatable: few examples per operation, a fixed seed, derandomized, no example database. Both
valid requests (positive: no server error, every status code, content type, header and body as documented)
and requests that break the schema (negative: they must be refused with a 4xx, never accepted, never a 500).
The run is on SQLite in ``make test``; the huge-integer and bad-type cases are also tested on both databases
by shegong/core/tests/test_api_errors.py.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.api_fuzz,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite in make test; test_api_errors covers PostgreSQL"),
]

MAX_EXAMPLES = 12
# POST routes that only answer (no write): the public registration check.
ANSWERING_POSTS = {"/api/v1/public/certificate-check/"}
SEED = 20261203

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.negative_data_rejection,
]


@pytest.fixture
def api_session(client, settings):
    """The schema as the API serves it, and the session cookie of a provincial administrator."""
    settings.SHEGONG_API_RATE = ""  # hundreds of requests in a minute: throttling is tested on its own
    user = factories.official("440000")
    factories.holder(1, "440106")
    factories.holder(2, "440305", level="senior")
    client.force_login(user)
    cookies = {"sessionid": client.cookies["sessionid"].value}
    raw = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert raw.status_code == 200, raw.status_code
    schema = schemathesis.openapi.from_dict(raw.json())
    schema.app = WSGIHandler()
    # The session cookie is the caller's identity, not data to break (refusals without it: test_api_errors).
    schema.config.generation.update(with_security_parameters=False)
    return schema, cookies


def _run(schema, cookies, mode):
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operation"
    for operation in operations:
        if operation.method.upper() != "GET" and operation.path not in ANSWERING_POSTS:
            continue  # writes are tested by their own tests; the fuzzer reads, and asks the public check

        @seed(SEED)
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            response = case.call(cookies=cookies)
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # collected, reported together below
                failures.append(f"{case.method} {case.formatted_path} {case.query}: {exc}")

        try:
            check()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE, f"no valid request for {operation.label}"
            # An operation without parameters has no request that breaks its schema.
    return failures


def test_valid_requests_follow_the_schema(api_session):
    schema, cookies = api_session
    failures = _run(schema, cookies, GenerationMode.POSITIVE)
    assert not failures, "\n\n".join(failures[:20])


def test_requests_that_break_the_schema_are_refused(api_session):
    schema, cookies = api_session
    failures = _run(schema, cookies, GenerationMode.NEGATIVE)
    assert not failures, "\n\n".join(failures[:20])
