"""Facet counts, filters and pages computed by the database, checked against brute force.

The brute force takes every result of a query (one page as large as the result list) and
counts in Python what the search counts in SQL, with the documented meaning: the count of
a facet value is the number of results having that value under every other facet's filter.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter

import pytest
from django.core.management import call_command

from engagement.models import Framework
from search.engine import FACET_LIMIT, FACETS, PAGE_SIZE, search
from search.query import parse_query
from search.results import Result
from sources.models import Document

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1/search/"
EVERYTHING = 10_000  # a page size larger than any result list here


def _value(result: Result, facet: str) -> str | None:
    return result.type if facet == "type" else getattr(result, facet)


def _brute_force(results: list[Result], filters: dict[str, list[str]]):
    """The results under `filters`, in order, and each facet's {value: count}."""

    def passes(result: Result, skip: str | None = None) -> bool:
        return all(
            _value(result, facet) in wanted for facet, wanted in filters.items() if facet != skip
        )

    facets = {}
    for facet in FACETS:
        counts = Counter(
            _value(result, facet)
            for result in results
            if _value(result, facet) is not None and passes(result, skip=facet)
        )
        # A selected value without a match is still listed, with 0.
        facets[facet] = {value: 0 for value in filters.get(facet, [])} | dict(counts)
    return [result for result in results if passes(result)], facets


def _combinations(results: list[Result]):
    """Filters over every subset of the facets: the most frequent value of each, then the
    two least frequent (two values at once); and two filters that no result meets together,
    so that selected values without a match are listed too."""
    common = {
        facet: [value for value, _ in Counter(_value(r, facet) for r in results).most_common()]
        for facet in FACETS
    }
    common = {facet: [v for v in values if v is not None] for facet, values in common.items()}
    for size in range(len(FACETS) + 1):
        for facets in itertools.combinations(FACETS, size):
            if any(not common[facet] for facet in facets):
                continue
            yield {facet: common[facet][:1] for facet in facets}
            yield {facet: common[facet][-2:] for facet in facets}
    yield {"level": ["separation"], "type": ["institution"]}  # nothing matches both


def _key(result: Result) -> tuple:
    return (result.type, result.object_id)


@pytest.mark.parametrize("query", ["evaluation", "AI Office", "risk or incident"])
def test_counts_and_filters_equal_brute_force_under_combined_filters(query):
    parsed = parse_query(query)
    everything = search(parsed, page_size=EVERYTHING).results
    assert len(everything) > 20
    checked = 0
    for filters in _combinations(everything):
        expected_results, expected_facets = _brute_force(everything, filters)
        found = search(parsed, filters=filters, page_size=EVERYTHING)
        assert found.count == len(expected_results), filters
        assert [_key(r) for r in found.results] == [_key(r) for r in expected_results], filters
        counts = {facet: {v.slug: v.count for v in found.facets[facet]} for facet in FACETS}
        assert counts == expected_facets, filters
        assert found.facets_omitted == dict.fromkeys(FACETS, 0)
        for facet in FACETS:
            selected = {v.slug for v in found.facets[facet] if v.selected}
            assert selected == set(filters.get(facet, [])), (filters, facet)
        checked += 1
    assert checked > 40


def test_a_value_chosen_alone_gives_its_count(client):
    # The documented meaning, end to end through the API: under two filters, choosing any
    # listed value of a third facet gives exactly its count.
    params = {"q": "evaluation", "type": "cell", "framework": "eu-ai-office-uk-aisi"}
    data = client.get(API, params).json()
    assert data["facets"]["level"] and data["facets"]["activity"]
    for facet in ("level", "activity"):
        for value, count in data["facets"][facet].items():
            assert client.get(API, {**params, facet: value}).json()["count"] == count


def test_pages_continue_each_other_without_overlap_to_the_last():
    parsed = parse_query("AI")
    everything = search(parsed, page_size=EVERYTHING)
    first = search(parsed, page=1)
    assert first.count == everything.count and first.pages > 2
    assert first.pages == -(-first.count // PAGE_SIZE)
    pages = [first] + [search(parsed, page=n) for n in range(2, first.pages + 1)]
    keys = [_key(result) for page in pages for result in page.results]
    assert len(keys) == len(set(keys)) == first.count
    assert keys == [_key(result) for result in everything.results]
    assert [len(page.results) for page in pages[:-1]] == [PAGE_SIZE] * (first.pages - 1)
    assert len(pages[-1].results) == first.count - (first.pages - 1) * PAGE_SIZE
    ranks = [result.rank for result in everything.results]
    assert ranks == sorted(ranks, reverse=True)
    # The facets do not depend on the page.
    assert all(page.facets == first.facets for page in pages)


def test_filtered_pages_of_the_api_follow_the_ranking(client):
    params = {"q": "AI", "type": "passage,cell", "document": "synergies-eu-ai-office-uk-aisi-2025"}
    filters = {name: values.split(",") for name, values in params.items() if name != "q"}
    expected = [
        r.url for r in search(parse_query("AI"), filters=filters, page_size=EVERYTHING).results
    ]
    first = client.get(API, params).json()
    assert first["count"] == len(expected) and first["pages"] >= 3
    second = client.get(API, {**params, "page": 2}).json()
    last = client.get(API, {**params, "page": first["pages"]}).json()
    assert [r["url"] for r in first["results"] + second["results"]] == expected[: 2 * PAGE_SIZE]
    assert [r["url"] for r in last["results"]] == expected[(first["pages"] - 1) * PAGE_SIZE :]
    assert client.get(API, {**params, "page": first["pages"] + 1}).status_code == 400


@pytest.fixture
def nine_times(kb):
    """The knowledge base nine times over: 18 documents and 18 frameworks."""
    call_command("synthesize", "--scale", "9", stdout=io.StringIO())


def _ids(facet: str) -> dict[str, int]:
    model = {"document": Document, "framework": Framework}[facet]
    return dict(model.objects.values_list("slug", "pk"))


@pytest.mark.usefixtures("nine_times")
@pytest.mark.parametrize("facet", ["document", "framework"])
def test_a_facet_lists_the_values_with_most_results_and_counts_the_others(facet):
    parsed = parse_query("AI")
    everything = search(parsed, page_size=EVERYTHING)
    _, expected = _brute_force(everything.results, {})
    counts = expected[facet]
    assert len(counts) > FACET_LIMIT
    listed = {value.slug: value.count for value in everything.facets[facet]}
    assert len(listed) == FACET_LIMIT
    assert everything.facets_omitted[facet] == len(counts) - FACET_LIMIT
    assert {slug: counts[slug] for slug in listed} == listed
    # Most results first; on a tie, the value added first.
    ids = _ids(facet)
    best = sorted(counts, key=lambda slug: (-counts[slug], ids[slug]))
    assert set(listed) == set(best[:FACET_LIMIT])
    # The facets with few values are whole.
    assert everything.facets_omitted["type"] == everything.facets_omitted["level"] == 0

    # A selected value is listed even when it has too few results to be.
    chosen = best[-1]
    narrowed = search(parsed, filters={facet: [chosen]})
    values = {value.slug: value for value in narrowed.facets[facet]}
    assert len(values) == FACET_LIMIT + 1
    assert values[chosen].selected and values[chosen].count == counts[chosen] == narrowed.count
    assert narrowed.facets_omitted[facet] == len(counts) - FACET_LIMIT - 1


@pytest.mark.usefixtures("nine_times")
def test_the_api_and_the_page_say_how_many_values_are_not_listed(client):
    data = client.get(API, {"q": "AI"}).json()
    omitted = data["facets_omitted"]
    assert set(omitted) == set(FACETS)
    assert len(data["facets"]["document"]) == FACET_LIMIT and omitted["document"] > 0
    assert omitted["type"] == omitted["level"] == 0
    page = client.get("/search/", {"q": "AI"}).content.decode()
    sections = re.findall(r"<section>\s*<h2>(.*?)</h2>(.*?)</section>", page, re.S)
    more = {
        title: re.findall(r'class="facet-more">and (\d+) more, not listed', body)
        for title, body in sections
    }
    assert more["Document"] == [str(omitted["document"])]
    assert more["Framework"] == [str(omitted["framework"])]
    assert more["Level"] == []


def test_a_bounded_set_of_candidates_is_ranked_and_every_match_is_still_listed(monkeypatch):
    """PostgreSQL ranks at most RANKED_CANDIDATES matches (those with text weighted A first),
    then lists the others in that order; SQLite ranks them all. On both, the pages list
    every match once, in one order, and the count is exact."""
    from search import engine

    monkeypatch.setattr(engine, "RANKED_CANDIDATES", 5)
    parsed = parse_query("evaluations")
    everything = search(parsed, page_size=EVERYTHING)
    listed = [r.entry_id for r in everything.results]
    assert everything.count == len(listed) == len(set(listed)) > 5
    paged = [
        r.entry_id
        for page in range(1, -(-everything.count // 3) + 1)
        for r in search(parsed, page=page, page_size=3).results
    ]
    assert paged == listed
    ranks = [r.rank for r in everything.results]
    if engine.full_text_for(parsed).rank_table is None:
        assert ranks == sorted(ranks, reverse=True)
        return
    assert ranks[:5] == sorted(ranks[:5], reverse=True) and all(rank > 0 for rank in ranks[:5])
    assert all(rank == 0 for rank in ranks[5:])
    # The candidates come first: text weighted A (not passages), then passages.
    passages = [r.type == "passage" for r in everything.results]
    assert passages[:5] == [False] * 5
    assert passages[5:] == sorted(passages[5:])
