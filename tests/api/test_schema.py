"""The OpenAPI schema: valid, complete, and true to the API's real behaviour."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from rest_framework.throttling import UserRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application


@pytest.fixture
def _wsgi_keeps_the_test_connection():
    """Schemathesis calls the WSGI app directly; as Django's own test client does, keep
    the request signals from closing the connection that holds the test's transaction
    (PostgreSQL would lose it mid-test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


pytestmark = pytest.mark.usefixtures("kb", "_wsgi_keeps_the_test_connection")

RESOURCES = [
    "institutions",
    "functions",
    "mandates",
    "relationships",
    "levels",
    "activities",
    "frameworks",
    "cells",
    "documents",
    "passages",
    "citations",
]


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(openapi):
    assert openapi["openapi"].startswith("3.")
    validate(openapi)


def test_schema_lists_every_resource_its_filters_and_errors(openapi):
    paths = openapi["paths"]
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in paths, resource
    cells = paths["/api/v1/cells/"]["get"]
    names = {p["name"] for p in cells["parameters"]}
    assert {"framework", "activity", "level", "institution", "kind", "emphasised", "q"} <= names
    assert {"page", "page_size", "ordering", "format"} <= names
    assert {"200", "304", "400", "404", "429"} <= set(cells["responses"])
    assert "ETag" in cells["responses"]["200"]["headers"]
    level = next(p for p in cells["parameters"] if p["name"] == "level")
    assert level["schema"]["items"]["type"] == "string"  # slugs, not ids
    create = paths["/api/v1/citations/"]["post"]
    assert {"201", "400", "401", "403"} <= set(create["responses"])
    page_size = next(p for p in cells["parameters"] if p["name"] == "page_size")
    assert "at most 500" in page_size["description"]


def test_docs_are_served_from_the_project(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


# Building the schema reads no data, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Cases per operation: over the API's ~50 operations, at least 1,000 in all.
CASES_PER_OPERATION = 22
MINIMUM_CASES = 1000


@pytest.fixture
def editor_headers(client_editor, monkeypatch) -> dict[str, str]:
    """Every case is sent as an editor, so writes go as deep as validation lets them; the
    limit of requests per user is lifted for the run."""
    monkeypatch.setattr(UserRateThrottle, "rate", "1000000/hour", raising=False)
    return {"Authorization": f"Token {client_editor.token}"}


def test_a_thousand_cases_over_every_operation_conform_to_the_schema(editor_headers):
    """Schemathesis draws cases (valid and not) for every operation of the schema, reads and
    writes, and checks each answer: no 5xx, a documented status, content type and body."""
    count = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) * CASES_PER_OPERATION >= MINIMUM_CASES

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=CASES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            nonlocal count
            count += 1
            # Each case starts from the seeded data, so that a failure replays the same way.
            with transaction.atomic():
                case.call_and_validate(headers=editor_headers, checks=CHECKS)
                transaction.set_rollback(True)

        run()
    assert count >= MINIMUM_CASES, f"{count} cases"


def test_stateful_sequences_along_the_schema_links_conform(editor_headers):
    """Sequences of calls along the links the schema declares (create or list, then read,
    then write with the ETag read as If-Match, then delete): every answer conforms."""
    links = [
        link
        for path in schema.raw_schema["paths"].values()
        for operation in path.values()
        for response in operation.get("responses", {}).values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) > 50
    assert any("header.If-Match" in link["parameters"] for link in links)

    calls: list[tuple[str, str, int, bool]] = []

    class Sequences(schema.as_state_machine()):
        # Each sequence starts from the seeded data, so that a failure replays the same way.
        def setup(self):
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        def get_call_kwargs(self, case):
            return {"headers": editor_headers}

        def after_call(self, response, case):
            if_match = "If-Match" in (case.headers or {})
            calls.append((case.method, case.operation.path, response.status_code, if_match))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Sequences.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The links were followed: objects read then written with the ETag they came with.
    assert len(calls) >= 100
    assert any(if_match for *_, if_match in calls)
    succeeded = {method for method, _, status, _ in calls if status < 300}
    assert {"POST", "GET"} <= succeeded and succeeded & {"PATCH", "PUT", "DELETE"}
