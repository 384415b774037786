"""`/api/v1/search/` and `/search/`: shape, facets, bad input, query counts, arbitrary input."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import FACETS

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1/search/"


def test_the_response_shape(client):
    response = client.get(API, {"q": "Leuven"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"query", "count", "page", "pages", "results", "facets", "facets_omitted"}
    assert data["query"] == "Leuven"
    assert data["count"] == len(data["results"]) == 2
    assert set(data["facets"]) == set(FACETS)
    assert data["facets_omitted"] == dict.fromkeys(FACETS, 0)
    result = next(r for r in data["results"] if r["document"] == "eu-us-ttc-ai-collaboration-2024")
    assert result == {
        "type": "passage",
        "title": "EU and US Deepen AI Collaboration After Trade and Technology Council Meeting",
        "context": "EU and US Deepen AI Collaboration After Trade and Technology Council Meeting",
        "snippet": result["snippet"],
        "url": "/documents/eu-us-ttc-ai-collaboration-2024/#eu-and-us-deepen-ai-collaboration-after-trade-and-technology-council-meeting-p1",
        "rank": result["rank"],
        "document": "eu-us-ttc-ai-collaboration-2024",
        "framework": None,
        "level": None,
        "activity": None,
    }
    assert "meeting in <mark>Leuven</mark>, Belgium" in result["snippet"]
    assert result["rank"] > 0


def test_results_of_every_kind_in_one_ranked_list(client):
    data = client.get(API, {"q": "AI Office"}).json()
    assert set(data["facets"]["type"]) == {"cell", "passage", "institution", "document"}
    ranks = [result["rank"] for result in data["results"]]
    assert ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize("query", ["AI Office", "evaluation", "risk or incident"])
def test_facet_counts_equal_the_counts_of_the_filtered_results(client, query):
    data = client.get(API, {"q": query}).json()
    assert sum(data["facets"]["type"].values()) == data["count"]
    checked = 0
    for facet in FACETS:
        for value, count in data["facets"][facet].items():
            filtered = client.get(API, {"q": query, facet: value}).json()
            assert filtered["count"] == count, (facet, value)
            checked += 1
    assert checked >= 5


def test_facets_combine_and_count_under_the_other_filters(client):
    params = {"q": "evaluation", "type": "cell", "level": "coordination"}
    data = client.get(API, params).json()
    assert data["count"] > 0
    assert {r["type"] for r in data["results"]} == {"cell"}
    assert {r["level"] for r in data["results"]} == {"coordination"}
    for slug, count in data["facets"]["level"].items():
        assert client.get(API, {**params, "level": slug}).json()["count"] == count
    for slug, count in data["facets"]["activity"].items():
        assert client.get(API, {**params, "activity": slug}).json()["count"] == count


def test_filters_take_several_values(client):
    both = client.get(API, {"q": "evaluation", "type": "cell,institution"}).json()
    cells = client.get(API, {"q": "evaluation", "type": "cell"}).json()
    institutions = client.get(API, {"q": "evaluation", "type": "institution"}).json()
    assert both["count"] == cells["count"] + institutions["count"]


def test_pages(client):
    first = client.get(API, {"q": "AI"}).json()
    assert first["count"] > 20 and first["pages"] > 1 and len(first["results"]) == 20
    second = client.get(API, {"q": "AI", "page": 2}).json()
    assert not {r["url"] for r in first["results"]} & {r["url"] for r in second["results"]}
    # Past the last page: a 400 naming `page`, as on every list of the API.
    beyond = client.get(API, {"q": "AI", "page": first["pages"] + 1})
    assert beyond.status_code == 400
    assert beyond.json() == {
        "detail": "Invalid input.",
        "errors": {"page": [f"There are only {first['pages']} pages."]},
    }


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({}, "q", "Enter words"),
        ({"q": "   "}, "q", "Enter words"),
        ({"q": "x" * 201}, "q", "too long"),
        ({"q": "the and of"}, "q", "only common words"),
        ({"q": "?!… ---"}, "q", "only punctuation"),
        ({"q": "-registry"}, "q", "not only what to leave out"),
        ({"q": "registry", "type": "cells"}, "type", "cells"),
        ({"q": "registry", "level": "friendship"}, "level", "friendship"),
        ({"q": "registry", "document": "no-such-document"}, "document", "no-such-document"),
        ({"q": "registry", "activity": "Not a slug!"}, "activity", "Not a slug!"),
        ({"q": "registry", "page": "0"}, "page", ""),
        ({"q": "registry", "page": "two"}, "page", ""),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, params, field, reason):
    response = client.get(API, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    # The API's one error shape, as on every other endpoint.
    data = response.json()
    assert set(data) == {"detail", "errors"}
    assert data["detail"] == "Invalid input."
    assert field in data["errors"]
    assert reason in " ".join(data["errors"][field])


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"q": "registry", "format": "x"}, "format", "Unknown format; use one of json."),
        ({"q": "registry", "format": "csv"}, "format", "Unknown format; use one of json."),
        ({"q": "registry", "page_size": "5"}, "page_size", "Unknown parameter"),
        ({"q": "registry", "colour": "red"}, "colour", "Unknown parameter"),
        ({"q": "registry", "token": "abc"}, "token", "never accepted in the URL"),
    ],
)
def test_the_query_string_is_read_as_on_every_endpoint(client, params, field, reason):
    response = client.get(API, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert reason in response.json()["errors"][field][0]


def test_format_json_is_the_default_format(client):
    plain = client.get(API, {"q": "Leuven"})
    explicit = client.get(API, {"q": "Leuven", "format": "json"})
    assert explicit.status_code == 200
    assert explicit.json() == plain.json()


@pytest.mark.parametrize("query", ['"unbalanced quote', 'a "b', '"', "or", "or registry or", "-"])
def test_odd_syntax_never_fails(client, query):
    assert client.get(API, {"q": query}).status_code in (200, 400)
    assert client.get("/search/", {"q": query}).status_code in (200, 400)


def test_an_unbalanced_quote_is_a_phrase_to_the_end(client):
    data = client.get(API, {"q": '"incident reporting registry'}).json()
    assert data["results"][0]["url"].endswith("/cells/incident-reporting/collaboration/")


@pytest.mark.parametrize("query", ["Leuven", "AI"])
def test_the_endpoint_makes_a_fixed_number_of_queries(client, django_assert_num_queries, query):
    # 1. the existence of the filter slugs (all four facets in one UNION);
    # 2. the page's entry ids and ranks, the count and the facet counts, from the matches
    #    found once; 3. the page's entries with their facet names and snippets.
    params = {
        "q": query,
        "type": "passage,cell",
        "document": "synergies-eu-ai-office-uk-aisi-2025,eu-us-ttc-ai-collaboration-2024",
    }
    with django_assert_num_queries(3):
        assert client.get(API, params).status_code == 200
    # Without filters, the first query is not needed.
    with django_assert_num_queries(2):
        assert client.get(API, {"q": query}).status_code == 200


@pytest.mark.parametrize("query", ["Leuven", "AI"])
def test_the_page_makes_a_fixed_number_of_queries(client, django_assert_max_num_queries, query):
    # The same three queries as the endpoint (the third only when the page has results); the
    # template reads nothing else.
    params = {"q": query, "level": "collaboration,separation", "framework": "eu-ai-office-uk-aisi"}
    with django_assert_max_num_queries(3):
        assert client.get("/search/", params).status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_data(client):
    def queries(url: str, params: dict) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, params).status_code == 200
        return len(context)

    # Each with results on its page, so that every query of the list runs.
    brief = {"type": "cell,passage", "document": "synergies-eu-ai-office-uk-aisi-2025"}
    cells = {"level": "coordination", "framework": "eu-ai-office-uk-aisi"}
    requests = [
        (API, {"q": "AI"}),
        (API, {"q": "AI", "page": 2, **brief}),
        ("/search/", {"q": "evaluation"}),
        ("/search/", {"q": "evaluation", **cells}),
    ]
    seeded = [queries(url, params) for url, params in requests]
    assert seeded == [2, 3, 2, 3]
    call_command("synthesize", "--scale", "3", stdout=io.StringIO())
    assert [queries(url, params) for url, params in requests] == seeded


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=240), level=st.one_of(st.none(), st.text(max_size=20)))
def test_arbitrary_input_never_fails(client, query, level):
    params = {"q": query} if level is None else {"q": query, "level": level}
    response = client.get(API, params)
    assert response.status_code in (200, 400), response.content[:500]
    if response.status_code == 400:
        assert set(response.json()["errors"]) <= {"q", "level"}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(alphabet=st.sampled_from('ab -"or\tCBRN()*:^.{}[]NEAR'), max_size=40))
def test_query_syntax_of_either_database_never_fails(client, query):
    # FTS5 operators (NEAR, *, ^, :, parentheses) and websearch syntax mixed at random.
    for url in (API, "/search/"):
        assert client.get(url, {"q": query}).status_code in (200, 400)
