"""Bad input, conditional GET, CSV, CORS and throttling of the API."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle

from tests.helpers import read_csv

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"


@pytest.mark.parametrize(
    ("query", "parameter", "reason"),
    [
        ("level=cooperation", "level", "cooperation is not one of the available choices"),
        ("level=collaboration,cooperation", "level", "cooperation"),
        ("institution=nobody", "institution", "nobody"),
        ("kind=invented", "kind", "invented"),
        ("emphasised=maybe", "emphasised", "is not a boolean"),
        ("colour=red", "colour", "Unknown parameter"),
        ("page_size=abc", "page_size", "not a whole number"),
        ("page=0", "page", "not a whole number"),
        # Past the last page: bad input like the rest (64 cells are 2 pages of 50).
        ("page=3", "page", "There are only 2 pages."),
        ("page=999999", "page", "There are only 2 pages."),
        ("page=99999999999999999999999", "page", "Out of range"),
        ("ordering=secret", "ordering", "Cannot order by secret"),
        ("ordering=--id", "ordering", "Cannot order by --id"),
        ("ordering=id&ordering=secret", "ordering", "Cannot order by secret"),
        ("format=xml", "format", "Unknown format"),
        ("token=abc", "token", "never accepted in the URL"),
        ("access_token=abc", "access_token", "never accepted in the URL"),
        ("auth_token=abc", "auth_token", "never accepted in the URL"),
    ],
)
def test_bad_query_is_a_400_naming_the_parameter(client_anon, query, parameter, reason):
    response = client_anon.get(f"{API}/cells/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body["errors"]) == [parameter]
    assert reason in body["errors"][parameter][0]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/mandates/?status=maybe", "status"),
        ("/relationships/?institution=atlantis", "institution"),
        ("/institutions/?jurisdiction=Mars", "jurisdiction"),
        ("/passages/?document=nothing", "document"),
        ("/citations/?claim_type=poem", "claim_type"),
        ("/frameworks/?institution=nobody", "institution"),
        ("/levels/?foo=1", "foo"),
        ("/documents/?kind=novel", "kind"),
    ],
)
def test_every_resource_refuses_values_that_name_nothing(client_anon, url, parameter):
    response = client_anon.get(f"{API}{url}")
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/cells/999999/",
        "/levels/cooperation/",
        "/institutions/atlantis/",
        "/documents/nothing/",
        "/passages/999999/",
        "/no-such-resource/",
    ],
)
def test_unknown_objects_are_a_json_404(client_anon, url):
    response = client_anon.get(f"{API}{url}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_errors_of_a_csv_request_are_json(client_anon):
    response = client_anon.get(f"{API}/cells/?format=csv&level=cooperation")
    assert response.status_code == 400
    assert response.json()["errors"]["level"]


def test_conditional_get_answers_304_until_a_write(client_anon, client_editor):
    first = client_anon.get(f"{API}/levels/")
    etag = first["ETag"]
    assert etag.startswith('"v') and first["X-Dataset-Version"] in etag
    assert first["Last-Modified"]
    again = client_anon.get(f"{API}/levels/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    since = client_anon.get(f"{API}/levels/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # CSV is another representation: another ETag.
    assert client_anon.get(f"{API}/levels/?format=csv")["ETag"] != etag

    response = client_editor.patch(
        f"{API}/levels/separation/", {"name": "Separation"}, format="json"
    )
    assert response.status_code == 200, response.content
    after = client_anon.get(f"{API}/levels/", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert int(after["X-Dataset-Version"]) > int(first["X-Dataset-Version"])


def test_conditional_get_costs_one_query(client_anon, django_assert_max_num_queries):
    etag = client_anon.get(f"{API}/cells/")["ETag"]
    # 1 dataset version, and nothing else.
    with django_assert_max_num_queries(1):
        response = client_anon.get(f"{API}/cells/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_csv_is_flat_with_human_headers(client_anon):
    response = client_anon.get(
        f"{API}/cells/?format=csv&level=separation&activity=incident-reporting"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming, "a CSV list streams"
    rows = read_csv(response)
    (row,) = rows
    assert row["Framework"] == "eu-ai-office-uk-aisi"
    assert row["Level"] == "separation"
    assert row["Text"] == (
        "Separately monitor highly sensitive incidents, e.g. cybersecurity incidents at AI companies."
    )
    assert row["Citations"] == (
        "synergies-eu-ai-office-uk-aisi-2025#table-1-incident-reporting: "
        "“Separately monitor highly sensitive incidents, e.g. cybersecurity incidents at AI companies.”"
    )
    assert row["Page"].endswith(
        "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/separation/"
    )


def test_csv_holds_every_matching_row(client_anon):
    response = client_anon.get(f"{API}/passages/?format=csv")
    count = client_anon.get(f"{API}/passages/").json()["count"]
    assert count > 50
    assert response.streaming, "a CSV list streams"
    assert len(read_csv(response)) == count


def test_csv_streams_in_chunks_of_a_fixed_number_of_queries(
    client_anon, monkeypatch, django_assert_max_num_queries
):
    cells = client_anon.get(f"{API}/cells/").json()["count"]
    monkeypatch.setattr("core.api.csv.CSV_CHUNK_ROWS", 10)
    chunks = -(-cells // 10)
    # The dataset version; then per chunk of 10 cells: the cells (framework, activity and
    # level joined) and their citations (passage and document joined).
    with django_assert_max_num_queries(1 + 2 * chunks):
        response = client_anon.get(f"{API}/cells/?format=csv")
        assert response.streaming, "a CSV list streams"
        rows = read_csv(response)
    assert len(rows) == cells
    assert response["X-Dataset-Version"]


def test_csv_neutralises_formulas(client_anon, client_editor):
    response = client_editor.post(
        f"{API}/activities/",
        {"slug": "formula", "name": "=cmd|' /C calc'!A0", "ordinal": 99},
        format="json",
    )
    assert response.status_code == 201, response.content
    response = client_anon.get(f"{API}/activities/?format=csv&q=cmd")
    assert response.streaming, "a CSV list streams"
    (row,) = read_csv(response)
    assert row["Name"] == "'=cmd|' /C calc'!A0"


def test_cors_open_for_reads_only(client_anon):
    response = client_anon.get(f"{API}/levels/", HTTP_ORIGIN="https://tool.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client_anon.options(
        f"{API}/cells/1/",
        HTTP_ORIGIN="https://tool.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE",
    )
    assert "DELETE" not in preflight.get("Access-Control-Allow-Methods", "")


def test_throttling_counts_in_the_shared_cache(client_anon, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    codes = [client_anon.get(f"{API}/levels/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client_anon.get(f"{API}/levels/")
    assert limited.status_code == 429 and "Retry-After" in limited
    assert limited.json()["detail"]
    # The count is in Django's cache (Redis when REDIS_URL is set), not in the process.
    assert len(cache.get("throttle_anon_127.0.0.1")) == 3
