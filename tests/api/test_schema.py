"""The OpenAPI schema: valid, complete, and true to the API's real behaviour."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from openapi_spec_validator import validate
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


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case):
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
