"""A client generated from the live schema, used as another tool would use it.

openapi-python-client (a generator nobody here wrote, installed with the test
dependencies) reads `/api/v1/schema/` as the application serves it and writes a client
into a temporary directory, at test time and without the network. The tests then call the
API through that client only, over httpx (its WSGI transport reaches the application in
this process, inside the test's transaction): typed models, typed errors, CSV as text, a
bearer token. Nothing reads `additional_properties` or a raw body. mypy, in strict mode,
accepts a plain anonymous `Client` for every read and refuses it for a write.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client as DjangoClient
from rest_framework.authtoken.models import Token

from config.wsgi import application
from engagement.models import Activity, Cell
from search.engine import FACETS

pytestmark = [pytest.mark.client, pytest.mark.usefixtures("kb", "_wsgi_keeps_the_test_connection")]

# The generator names the package after the schema's title, "Engagement Atlas API".
PACKAGE = "engagement_atlas_api_client"
BASE_URL = "http://127.0.0.1"

# The seeded knowledge base, resource by resource (fixtures/).
SEEDED_COUNTS = {
    "institutions": 13,
    "functions": 6,
    "mandates": 12,
    "relationships": 13,
    "levels": 4,
    "activities": 15,
    "frameworks": 2,
    "cells": 64,
    "documents": 2,
    "passages": 94,
    "citations": 164,
}
BRIEF = "eu-ai-office-uk-aisi"

# mypy, strict, on the generated package and on the code below. The generator's fixed
# `client.py` (not made from the schema) passes `*args: object` on to httpx's typed
# `__exit__`, which current mypy refuses; that one error code is off in that one module.
MYPY_CONFIG = f"""\
[mypy]
strict = True

[mypy-{PACKAGE}.client]
disable_error_code = arg-type
"""

TYPED_READS = f"""
from {PACKAGE}.api.cells import cells_list, cells_list_csv
from {PACKAGE}.api.search import search
from {PACKAGE}.models import (
    CellKindEnum,
    CellsOrdering,
    Error,
    PaginatedCellList,
    SearchResponse,
    SearchResultTypeEnum,
)
from {PACKAGE}.types import Unset


def typed_reads(client: Client) -> None:
    cells = cells_list.sync(
        client=client,
        framework=["{BRIEF}"],
        level=["coordination"],
        kind=[CellKindEnum.VERBATIM],
        ordering=[CellsOrdering.ACTIVITY_ORDINAL_DESC],
        page=1,
        page_size=5,
    )
    if isinstance(cells, PaginatedCellList):
        framework: str = cells.results[0].framework
        kind: CellKindEnum = cells.results[0].kind
        count: int = cells.count
    elif isinstance(cells, Error) and not isinstance(cells.errors, Unset):
        reasons: list[str] = cells.errors["level"]
    text = cells_list_csv.sync(client=client, level=["coordination"])
    if isinstance(text, str):
        lines: list[str] = text.splitlines()
    found = search.sync(client=client, q="registry", type_=[SearchResultTypeEnum.CELL])
    if isinstance(found, SearchResponse):
        at_level: int = found.facets.level["coordination"]
        cells_found: int = found.facets.type_["cell"]
        omitted: int = found.facets_omitted.activity
"""

WRITE_WITH_A_PLAIN_CLIENT = f"""
from {PACKAGE} import Client
from {PACKAGE}.api.cells import cells_partial_update
from {PACKAGE}.models import PatchedCellRequest

cells_partial_update.sync_detailed(
    1, client=Client(base_url="{BASE_URL}"), body=PatchedCellRequest(text="New words.")
)
"""


def _reads(schema: dict) -> list[tuple[str, str, dict]]:
    """Every read open to anyone: (path, operation id, operation). (A job, the one private
    read, declares its own security: it asks for an authenticated client, as a write does.)"""
    return [
        (path, item["get"]["operationId"], item["get"])
        for path, item in schema["paths"].items()
        if "get" in item and "security" not in item["get"]
    ]


def _module(operation: dict) -> str:
    return f"{PACKAGE}.api.{operation['tags'][0]}.{operation['operationId']}"


def _path_parameters(operation: dict) -> list[dict]:
    return [p for p in operation.get("parameters", []) if p["in"] == "path"]


def _required_query(operation: dict) -> dict[str, object]:
    """A value for each required query parameter (search's `q`), by its Python name."""
    return {
        p["name"]: 0 if p["schema"].get("type") == "integer" else "registry"
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }


def _follow(operation: dict, client, page) -> int:
    """The number of items of a cursor list, read page by page through its `next` links."""
    module = importlib.import_module(_module(operation))
    count = len(page.results)
    while isinstance(page.next_, str):
        cursor = parse_qs(urlsplit(page.next_).query)["cursor"][0]
        page = module.sync(client=client, cursor=cursor)
        count += len(page.results)
    return count


def _every_read_with_a_plain_client(schema: dict) -> str:
    """A script calling every read of the schema with a plain `Client`, for mypy."""
    lines = [f"from {PACKAGE} import Client"]
    calls = []
    for _path, operation_id, operation in _reads(schema):
        module = _module(operation)
        lines.append(f"from {module.rsplit('.', 1)[0]} import {operation_id}")
        positional = [
            "1" if p["schema"].get("type") == "integer" else '"x"'
            for p in _path_parameters(operation)
        ]
        keywords = [f"{name}={value!r}" for name, value in _required_query(operation).items()]
        arguments = ", ".join([*positional, "client=client", *keywords])
        calls.append(f"    {operation_id}.sync_detailed({arguments})")
    lines += ["", "", "def every_read(client: Client) -> None:", *calls]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    """The client generated from the schema the application serves, on sys.path."""
    with django_db_blocker.unblock():
        response = DjangoClient().get(
            "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
        )
    assert response.status_code == 200
    directory = tmp_path_factory.mktemp("generated")
    schema_file = directory / "schema.json"
    schema_file.write_bytes(response.content)
    # The generator formats what it writes with ruff, found on PATH (a test dependency).
    bin_dir = str(Path(sys.executable).parent)
    generator = subprocess.run(
        [
            *(sys.executable, "-m", "openapi_python_client", "generate"),
            *("--path", str(schema_file), "--meta", "none"),
            *("--output-path", str(directory / PACKAGE)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
        cwd=directory,
    )
    sys.path.insert(0, str(directory))
    yield SimpleNamespace(
        directory=directory,
        schema=response.json(),
        returncode=generator.returncode,
        output=generator.stdout + generator.stderr,
    )
    sys.path.remove(str(directory))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def _import(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}" if name else PACKAGE)


@pytest.fixture
def package(generated) -> ModuleType:
    return _import("")


def _transport() -> dict:
    return {"transport": httpx.WSGITransport(app=application)}


@pytest.fixture
def anonymous(package):
    """A plain client, as a tool without an account has; every undeclared status raises."""
    return package.Client(
        base_url=BASE_URL, httpx_args=_transport(), raise_on_unexpected_status=True
    )


def _mypy(generated, name: str, source: str) -> subprocess.CompletedProcess:
    (generated.directory / "mypy.ini").write_text(MYPY_CONFIG)
    (generated.directory / f"{name}.py").write_text(source)
    return subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-error-summary"),
            *("--cache-dir", str(generated.directory / ".mypy_cache"), f"{name}.py"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=generated.directory,
    )


def test_the_generator_reads_the_live_schema_without_a_warning(generated):
    assert generated.returncode == 0, generated.output
    assert generated.output.strip() == f"Generating {generated.directory / PACKAGE}"


def test_a_type_checker_accepts_a_plain_client_for_every_read(generated):
    reads = _reads(generated.schema)
    # Every resource's list, detail and CSV twins, the cell history and search.
    assert len(reads) >= 4 * len(SEEDED_COUNTS) + 2
    source = _every_read_with_a_plain_client(generated.schema) + TYPED_READS
    checked = _mypy(generated, "reads", source)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_type_checker_asks_a_write_for_an_authenticated_client(generated):
    checked = _mypy(generated, "plain_write", WRITE_WITH_A_PLAIN_CLIENT)
    assert checked.returncode == 1
    assert (
        'Argument "client" to "sync_detailed" has incompatible type "Client"; '
        'expected "AuthenticatedClient"'
    ) in checked.stdout


def test_anonymous_reads_of_every_resource(generated, anonymous):
    reads = _reads(generated.schema)
    lists = [r for r in reads if r[0].endswith("/") and "{" not in r[0] and r[1] != "search"]
    assert {path.split("/")[3] for path, _id, _op in lists} >= set(SEEDED_COUNTS)
    for path, operation_id, operation in lists:
        resource = path.split("/")[3]
        answer = importlib.import_module(_module(operation)).sync_detailed(
            client=anonymous, **_required_query(operation)
        )
        assert answer.status_code == 200, (operation_id, answer.content[:300])
        page = answer.parsed
        assert type(page).__name__.startswith("Paginated"), operation_id
        if resource in SEEDED_COUNTS:
            assert page.count == SEEDED_COUNTS[resource], resource
            assert len(page.results) == min(page.count, 50)
        # A page with a count (page numbers), or a cursor page (the changes) followed to
        # its end through its `next` links, as a client syncing would.
        count = page.count if hasattr(page, "count") else _follow(operation, anonymous, page)

        # The CSV twin: every matching row, as text.
        csv_twin = importlib.import_module(_module(operation) + "_csv")
        text = csv_twin.sync(client=anonymous, **_required_query(operation))
        assert isinstance(text, str), operation_id
        assert len(list(csv.DictReader(io.StringIO(text, newline="")))) == count

        if not page.results:
            continue
        item = page.results[0].to_dict()
        # Each read under the resource's path that names an object: its detail (also as
        # CSV) and any action on it, with the first listed object's id or slug.
        for detail_path, detail_id, detail in reads:
            if not detail_path.startswith(path) or "{" not in detail_path:
                continue
            names = [p["name"] for p in _path_parameters(detail)]
            key = [item[name] for name in names]
            module = importlib.import_module(_module(detail))
            if detail_id.endswith("_csv"):
                rows = list(csv.DictReader(io.StringIO(module.sync(*key, client=anonymous))))
                assert len(rows) == 1, detail_id
                continue
            answer = module.sync_detailed(*key, client=anonymous)
            assert answer.status_code == 200, (detail_id, answer.content[:300])
            if detail_id.endswith("_retrieve"):
                # The detail holds the listed object (a document's adds its text).
                shown = answer.parsed.to_dict()
                assert {name: shown[name] for name in item} == item, detail_id


def test_the_levels_read_as_seeded(package, anonymous):
    levels_list = _import("api.levels.levels_list")
    page = levels_list.sync(client=anonymous)
    assert isinstance(page, package.models.PaginatedLevelList)
    assert [(level.slug, level.name, level.ordinal) for level in page.results] == [
        ("collaboration", "Collaboration", 1),
        ("coordination", "Coordination", 2),
        ("communication", "Communication", 3),
        ("separation", "Separation", 4),
    ]
    assert page.results[1].definition.startswith("We define coordination as a process")


def test_filters_ordering_and_pages(package, anonymous):
    models = package.models
    cells_list = _import("api.cells.cells_list")
    page = cells_list.sync(
        client=anonymous,
        framework=[BRIEF],
        level=["coordination"],
        kind=[models.CellKindEnum.VERBATIM],
        ordering=[models.CellsOrdering.ACTIVITY_ORDINAL_DESC],
    )
    assert isinstance(page, models.PaginatedCellList)
    assert page.count == 15  # Table 1: one verbatim cell per activity at this level
    assert {(c.framework, c.level, c.kind) for c in page.results} == {
        (BRIEF, "coordination", models.CellKindEnum.VERBATIM)
    }
    activities = list(Activity.objects.order_by("-ordinal").values_list("slug", flat=True))
    assert [cell.activity for cell in page.results] == activities
    assert page.results[0].activity == "affirmative-assurance-approaches"

    # Several values of a filter and several ordering fields, as arrays.
    both = cells_list.sync(
        client=anonymous,
        level=["coordination", "separation"],
        ordering=[models.CellsOrdering.LEVEL_ORDINAL_DESC, models.CellsOrdering.ID],
        page_size=500,
    )
    assert both.count == Cell.objects.filter(level__slug__in=["coordination", "separation"]).count()
    keys = [(cell.level, cell.id) for cell in both.results]
    assert keys == sorted(keys, key=lambda key: (key[0] != "separation", key[1]))

    # Pages: 164 citations are 4 pages of 50; the fifth is a 400 naming `page`.
    citations_list = _import("api.citations.citations_list")
    last = citations_list.sync(client=anonymous, page=4)
    assert isinstance(last, models.PaginatedCitationResourceList)
    assert len(last.results) == 14 and last.next_ is None
    assert last.previous.endswith("/api/v1/citations/?page=3")
    first = citations_list.sync(client=anonymous, page_size=50)
    second = citations_list.sync(client=anonymous, page=2, page_size=50)
    assert not {c.id for c in first.results} & {c.id for c in second.results}
    beyond = citations_list.sync_detailed(client=anonymous, page=5)
    assert beyond.status_code == 400
    assert isinstance(beyond.parsed, models.Error)
    assert beyond.parsed.errors["page"] == ["There are only 4 pages."]


def test_a_bad_filter_value_is_a_typed_400(package, anonymous):
    cells_list = _import("api.cells.cells_list")
    answer = cells_list.sync_detailed(client=anonymous, level=["cooperation"])
    assert answer.status_code == 400
    error = answer.parsed
    assert isinstance(error, package.models.Error)
    assert error.detail == "Invalid input."
    assert "level" in error.errors
    assert "cooperation" in " ".join(error.errors["level"])


def test_search_with_facets(package, anonymous):
    models = package.models
    search = _import("api.search.search")
    found = search.sync(
        client=anonymous,
        q="evaluation",
        type_=[models.SearchResultTypeEnum.CELL],
        level=["coordination"],
    )
    assert isinstance(found, models.SearchResponse)
    assert found.count > 0
    assert {(r.type_, r.level) for r in found.results} == {
        (models.SearchResultTypeEnum.CELL, "coordination")
    }
    # Each facet typed by name; a value's count is the number of results choosing it gives.
    assert found.facets.level["coordination"] == found.count
    assert found.facets.type_["cell"] == found.count
    for name in FACETS:
        assert getattr(found.facets_omitted, "type_" if name == "type" else name) == 0
    slugs = Activity.objects.values_list("slug", flat=True)
    listed = [slug for slug in slugs if slug in found.facets.activity]
    assert listed
    for activity in listed[:3]:
        narrowed = search.sync(
            client=anonymous,
            q="evaluation",
            type_=[models.SearchResultTypeEnum.CELL],
            level=["coordination"],
            activity=[activity],
        )
        assert narrowed.count == found.facets.activity[activity]

    # Bad input: the API's one error shape, read from the typed error.
    answer = search.sync_detailed(client=anonymous, q="the and of")
    assert answer.status_code == 400
    assert isinstance(answer.parsed, models.Error)
    assert "only common words" in " ".join(answer.parsed.errors["q"])
    answer = search.sync_detailed(client=anonymous, q="registry", level=["friendship"])
    assert answer.parsed.errors["level"] == ["No level is called “friendship”."]
    pages = search.sync(client=anonymous, q="AI").pages
    answer = search.sync_detailed(client=anonymous, q="AI", page=pages + 1)
    assert answer.status_code == 400
    assert answer.parsed.errors["page"] == [f"There are only {pages} pages."]


def test_csv_is_text_with_the_columns_described(generated, anonymous):
    cells_list_csv = _import("api.cells.cells_list_csv")
    text = cells_list_csv.sync(client=anonymous, framework=[BRIEF], level=["coordination"])
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 15
    assert {(row["Framework"], row["Level"], row["Kind"]) for row in rows} == {
        (BRIEF, "coordination", "verbatim")
    }
    # The schema names the columns the CSV has.
    header = text.split("\r\n", 1)[0]
    described = generated.schema["paths"]["/api/v1/cells.csv"]["get"]["responses"]["200"]
    assert described["content"]["text/csv"]["example"] == header + "\r\n"
    assert re.findall(r"^- `([^`]+)`", described["description"], re.M) == header.split(",")


def test_a_write_with_a_bearer_token(package, anonymous, editor):
    models = package.models
    cells_list = _import("api.cells.cells_list")
    cells_partial_update = _import("api.cells.cells_partial_update")
    cells_retrieve = _import("api.cells.cells_retrieve")
    key = Token.objects.create(user=editor).key
    # AuthenticatedClient sends `Authorization: Bearer <key>`, its default.
    editor_client = package.AuthenticatedClient(
        base_url=BASE_URL, token=key, httpx_args=_transport(), raise_on_unexpected_status=True
    )
    cell = cells_list.sync(client=anonymous, kind=[models.CellKindEnum.ANALYST]).results[0]

    answer = cells_partial_update.sync_detailed(
        cell.id, client=editor_client, body=models.PatchedCellRequest(text="Joint tooling.")
    )
    assert answer.status_code == 200, answer.content
    assert isinstance(answer.parsed, models.Cell)
    assert answer.parsed.text == "Joint tooling."
    assert cells_retrieve.sync(cell.id, client=anonymous).text == "Joint tooling."
    assert Cell.objects.get(pk=cell.id).text == "Joint tooling."

    # `Token <key>`, DRF's keyword, still works for the callers that use it.
    legacy = package.AuthenticatedClient(
        base_url=BASE_URL, token=key, prefix="Token", httpx_args=_transport()
    )
    answer = cells_partial_update.sync_detailed(
        cell.id, client=legacy, body=models.PatchedCellRequest(text="Shared tooling.")
    )
    assert answer.status_code == 200
    assert Cell.objects.get(pk=cell.id).text == "Shared tooling."

    # A wrong key is a typed 401 that changes nothing.
    stranger = package.AuthenticatedClient(
        base_url=BASE_URL, token="not-a-key", httpx_args=_transport()
    )
    answer = cells_partial_update.sync_detailed(
        cell.id, client=stranger, body=models.PatchedCellRequest(text="Vandalism.")
    )
    assert answer.status_code == 401
    assert answer.parsed.detail == "Invalid token."
    assert Cell.objects.get(pk=cell.id).text == "Shared tooling."


def test_a_stale_if_match_is_a_typed_412_that_changes_nothing(package, anonymous, editor):
    """Two editors read a cell; the first writes with its ETag, the second's is stale."""
    models = _import("models")
    cells_list = _import("api.cells.cells_list")
    cells_partial_update = _import("api.cells.cells_partial_update")
    cells_retrieve = _import("api.cells.cells_retrieve")
    key = Token.objects.create(user=editor).key
    editor_client = package.AuthenticatedClient(
        base_url=BASE_URL, token=key, httpx_args=_transport()
    )
    cell = cells_list.sync(client=anonymous, kind=[models.CellKindEnum.ANALYST]).results[0]
    etag = cells_retrieve.sync_detailed(cell.id, client=anonymous).headers["ETag"]

    first = cells_partial_update.sync_detailed(
        cell.id,
        client=editor_client,
        body=models.PatchedCellRequest(text="The first editor's words."),
        if_match=etag,
    )
    assert first.status_code == 200, first.content
    assert first.headers["ETag"] != etag

    stale = cells_partial_update.sync_detailed(
        cell.id,
        client=editor_client,
        body=models.PatchedCellRequest(text="The second editor's words."),
        if_match=etag,
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, models.Error)
    assert stale.parsed.detail
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert Cell.objects.get(pk=cell.id).text == "The first editor's words."
