"""The OpenAPI schema: valid, complete, and true to the API's real behaviour."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.management import call_command
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
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
from search.engine import FACETS

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


def test_the_schema_builds_without_a_warning(tmp_path):
    # drf-spectacular warns where it has to guess a type; --fail-on-warn makes that an error.
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml")
    )


def test_schema_lists_every_resource_its_filters_and_errors(openapi):
    paths = openapi["paths"]
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in paths, resource
    cells = paths["/api/v1/cells/"]["get"]
    names = {p["name"] for p in cells["parameters"]}
    assert {"framework", "activity", "level", "institution", "kind", "emphasised", "q"} <= names
    assert {"page", "page_size", "ordering"} <= names
    assert "format" not in names  # JSON here; CSV is its own operation (below)
    assert {"200", "304", "400", "429"} <= set(cells["responses"])
    assert "404" in paths["/api/v1/cells/{id}/"]["get"]["responses"]
    assert "ETag" in cells["responses"]["200"]["headers"]
    level = next(p for p in cells["parameters"] if p["name"] == "level")
    assert level["schema"]["items"]["type"] == "string"  # slugs, not ids
    create = paths["/api/v1/citations/"]["post"]
    assert {"201", "400", "401", "403"} <= set(create["responses"])
    page_size = next(p for p in cells["parameters"] if p["name"] == "page_size")
    assert "at most 500" in page_size["description"]


def test_reads_are_open_and_writes_name_the_schemes_they_accept(openapi):
    # The document's default: anonymous, a bearer key, or a session. Every read takes it
    # (so generated clients accept an unauthenticated client for them); writes need a key
    # or a session.
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert openapi["security"] == [{"bearerAuth": []}, {"cookieAuth": []}, {}]
    writes = 0
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if path == "/api/v1/jobs/{id}/":
                # A private read: a job is its owner's (anyone else's is a 404).
                assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}], path
                assert {"401", "404"} <= set(operation["responses"]), path
            elif method == "get" and path.startswith("/api/v1/flags/"):
                # Private reads: a reader's own flags, or (editors) every one.
                assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}], path
                assert "401" in operation["responses"], path
            elif method == "get":
                assert "security" not in operation, path
            else:
                assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}], path
                assert {"401", "403"} <= set(operation["responses"]), path
                writes += 1
    # a citation's `reanchor`, the frameworks' four, `drafts` and `publish`, two uploads; a
    # flag, its accept and decline
    assert writes == 38


def test_csv_is_declared_as_text_in_its_own_operations(openapi):
    paths = openapi["paths"]
    for resource in RESOURCES:
        for json_path, csv_path in [
            (f"/api/v1/{resource}/", f"/api/v1/{resource}.csv"),
            (f"/api/v1/{resource}/{{{_lookup(paths, resource)}}}/", None),
        ]:
            if csv_path is None:
                csv_path = json_path.removesuffix("/") + ".csv"
            as_json = paths[json_path]["get"]
            as_csv = paths[csv_path]["get"]
            assert list(as_json["responses"]["200"]["content"]) == ["application/json"]
            assert as_csv["operationId"] == as_json["operationId"] + "_csv"
            ok = as_csv["responses"]["200"]
            assert ok["content"] == {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ok["content"]["text/csv"]["example"],
                }
            }
            assert "Columns:" in ok["description"]
            # Errors stay JSON; CSV has no pages (it holds every row).
            assert list(as_csv["responses"]["400"]["content"]) == ["application/json"]
            names = {p["name"] for p in as_csv.get("parameters", [])}
            assert not names & {"page", "page_size", "format"}
    levels = paths["/api/v1/levels.csv"]["get"]["responses"]["200"]
    assert levels["content"]["text/csv"]["example"] == (
        "ID,Slug,Name,Ordinal,Definition,Definition citations,Conditions,Conditions citations,"
        "Citations,Updated at,API URL,Page,Cells API URL\r\n"
    )
    assert (
        "\n- `Definition citations` (`definition_citations`): Where the definition is quoted "
        "from (footnote 2 of the brief). Several, separated by ` | `.\n"
    ) in levels["description"]
    # The history of a cell is JSON only.
    assert "/api/v1/cells/{id}/history.csv" not in paths


def _lookup(paths, resource: str) -> str:
    (detail,) = [p for p in paths if p.startswith(f"/api/v1/{resource}/{{") and p.endswith("}/")]
    return detail.split("{")[1].split("}")[0]


def test_path_ids_are_integers_and_slugs_strings(openapi):
    paths = openapi["paths"]
    for path in ["/api/v1/cells/{id}/", "/api/v1/cells/{id}.csv", "/api/v1/cells/{id}/history/"]:
        (parameter,) = paths[path]["get"]["parameters"][:1]
        assert parameter == {
            "in": "path",
            "name": "id",
            "schema": {"type": "integer"},
            "required": True,
        }
    for resource in ["mandates", "passages", "citations"]:
        (parameter,) = [
            p
            for p in paths[f"/api/v1/{resource}/{{id}}/"]["get"]["parameters"]
            if p["in"] == "path"
        ]
        assert parameter["schema"] == {"type": "integer"}
    (slug,) = [p for p in paths["/api/v1/levels/{slug}/"]["get"]["parameters"] if p["in"] == "path"]
    assert slug["schema"]["type"] == "string"


def test_ordering_enumerates_its_fields(openapi):
    cells = openapi["paths"]["/api/v1/cells/"]["get"]
    (ordering,) = [p for p in cells["parameters"] if p["name"] == "ordering"]
    assert ordering["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/CellsOrdering"},
    }
    assert ordering["explode"] is True
    enum = openapi["components"]["schemas"]["CellsOrdering"]
    assert enum["enum"] == [
        "id",
        "-id",
        "updated_at",
        "-updated_at",
        "activity__ordinal",
        "-activity__ordinal",
        "level__ordinal",
        "-level__ordinal",
    ]
    assert enum["x-enum-varnames"][:2] == ["ID", "ID_DESC"]
    for resource in RESOURCES:
        operation = openapi["paths"][f"/api/v1/{resource}/"]["get"]
        (ordering,) = [p for p in operation["parameters"] if p["name"] == "ordering"]
        # Each resource's own: frameworks, functions and levels are ordered by the same
        # fields as activities, yet a generated client names their ordering after them.
        own = "".join(part.capitalize() for part in resource.split("_")) + "Ordering"
        assert ordering["schema"]["items"]["$ref"] == f"#/components/schemas/{own}", resource
    # A filter's values that are an enum of the objects refer to that enum.
    (kind,) = [p for p in cells["parameters"] if p["name"] == "kind"]
    assert kind["schema"]["items"] == {"$ref": "#/components/schemas/CellKindEnum"}


def test_search_is_typed_like_the_rest(openapi):
    search = openapi["paths"]["/api/v1/search/"]["get"]
    parameters = {p["name"]: p for p in search["parameters"]}
    assert parameters["q"]["required"] is True
    assert parameters["type"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/SearchResultTypeEnum"},
    }
    for name in ("document", "framework", "level", "activity"):
        assert parameters[name]["schema"] == {"type": "array", "items": {"type": "string"}}
        assert parameters[name]["explode"] is True
    assert set(search["responses"]) == {"200", "400", "401", "406", "429"}
    assert search["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    schemas = openapi["components"]["schemas"]
    facets = schemas["SearchFacets"]
    assert sorted(facets["required"]) == sorted(FACETS)
    for name in FACETS:
        assert facets["properties"][name]["additionalProperties"] == {"type": "integer"}
        assert schemas["SearchFacetsOmitted"]["properties"][name]["type"] == "integer"


@pytest.mark.urls("tests.api.new_endpoint_urls")
def test_a_new_viewset_is_typed_without_a_line_of_its_own():
    openapi = SchemaGenerator().get_schema(request=None, public=True)
    validate(openapi)
    paths = openapi["paths"]
    assert set(paths) == {
        "/api/v1/novelties/",
        "/api/v1/novelties.csv",
        "/api/v1/novelties/{id}/",
        "/api/v1/novelties/{id}.csv",
    }
    # Reads take the document's default (anonymous allowed), writes need credentials.
    assert openapi["security"] == [{"bearerAuth": []}, {"cookieAuth": []}, {}]
    assert "security" not in paths["/api/v1/novelties/"]["get"]
    assert "security" not in paths["/api/v1/novelties/{id}.csv"]["get"]
    assert paths["/api/v1/novelties/"]["post"]["security"] == [
        {"bearerAuth": []},
        {"cookieAuth": []},
    ]
    listing = paths["/api/v1/novelties/"]["get"]
    assert list(listing["responses"]["200"]["content"]) == ["application/json"]
    assert "ETag" in listing["responses"]["200"]["headers"]
    assert paths["/api/v1/novelties.csv"]["get"]["operationId"] == "novelties_list_csv"
    ok = paths["/api/v1/novelties.csv"]["get"]["responses"]["200"]
    assert ok["content"]["text/csv"]["schema"] == {"type": "string"}
    assert "- `Status` (`status`): One of `yes`, `partial`, `no`" in ok["description"]
    (ordering,) = [p for p in listing["parameters"] if p["name"] == "ordering"]
    assert ordering["schema"]["items"] == {"$ref": "#/components/schemas/NoveltiesOrdering"}
    assert openapi["components"]["schemas"]["NoveltiesOrdering"]["enum"] == [
        "status",
        "-status",
        "institution__name",
        "-institution__name",
    ]
    detail = paths["/api/v1/novelties/{id}/"]["get"]
    assert detail["parameters"][0]["schema"] == {"type": "integer"}
    assert "404" in detail["responses"] and "404" not in listing["responses"]


def test_docs_are_served_from_the_project(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


# Building the schema reads no data, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
# Generation follows the schema alone: literals taken from the application's source (a
# pool whose order depends on the process's string hashing) made runs differ.
schema.config.analysis.constants.enabled = False

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


@pytest.mark.slow
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


@pytest.mark.slow
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

    # Uploads take a file that generated bodies never hold (always a 400, nothing written;
    # tests/editorial/test_upload.py covers them): they would only dilute the sequences.
    writes_of_objects = schema.exclude(
        method="POST", path_regex=r"^/api/v1/documents/(\{slug\}/versions/)?$"
    )

    class Sequences(writes_of_objects.as_state_machine()):
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
            max_examples=80,
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
    writes = sorted(
        {(method, path, status) for method, path, status, _ in calls if method != "GET"}
    )
    assert {"POST", "GET"} <= succeeded and succeeded & {"PATCH", "PUT", "DELETE"}, writes
