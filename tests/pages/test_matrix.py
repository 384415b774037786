"""The matrix page: every filter alone and combined, 400s naming the parameter, query counts."""

from __future__ import annotations

import re

import pytest

from tests.helpers import get_page, refused_page

pytestmark = pytest.mark.usefixtures("kb")

BRIEF = "/frameworks/eu-ai-office-uk-aisi/"
US = "/frameworks/eu-ai-office-us-aisi/"


def body_cells(html: str) -> list[str]:
    """The class attribute of every matrix body cell, in order."""
    tbody = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="cell ([^"]*)"', tbody)


def count(html: str) -> int:
    return int(re.search(r'role="status">(\d+) matching cell', html).group(1))


def test_matrix_shows_every_cell_with_its_kind(client):
    html = get_page(client, BRIEF)
    assert (
        "<title>Matrix: EU AI Office and UK AISI (policy brief, March 2025) · Engagement Atlas</title>"
        in html
    )
    assert "Develop common AI incident reporting registry" in html
    assert "Align “incident” definitions” and create interoperable reporting standards" in html
    assert (
        "Separately monitor highly sensitive incidents, e.g. cybersecurity incidents at AI companies."
        in html
    )
    # Institutional Development has no collaboration and no separation entry in Table 1.
    assert body_cells(html).count("cell-empty") == 2
    assert html.count('<span class="kind kind-empty">None stated in the source</span>') == 2
    assert count(html) == 60
    # The narrative singles out twelve cells.
    assert sum("cell-emphasised" in c for c in body_cells(html)) == 12
    assert (
        html.count('<strong class="badge"><span aria-hidden="true">★ </span>Emphasised</strong>')
        == 12
    )
    # Levels are the columns, deepest integration first.
    heads = re.findall(r'<th scope="col" class="level-(\w+)">', html)
    assert heads == ["collaboration", "coordination", "communication", "separation"]
    # One click from a cell to its cell page and to the quote in the reader.
    assert 'href="/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/"' in html
    assert re.search(
        r'href="/documents/synergies-eu-ai-office-uk-aisi-2025/\?cite=\d+#table-1-incident-reporting"',
        html,
    )


def test_matrix_links_its_json_twin_and_has_the_page_furniture(client):
    html = get_page(client, BRIEF + "?level=collaboration&q=incident")
    assert (
        '<link rel="alternate" type="application/json" '
        'href="/api/v1/cells/?level=collaboration&amp;q=incident&amp;framework=eu-ai-office-uk-aisi">'
    ) in html
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert 'aria-label="Breadcrumb"' in html
    assert '<form class="site-search" role="search" action="/search/" method="get">' in html
    assert 'href="/static/css/print.css" media="print"' in html
    # The pictures are inline SVG with text alternatives.
    assert (
        'role="img" aria-labelledby="heatmap-eu-ai-office-uk-aisi-title heatmap-eu-ai-office-uk-aisi-desc"'
        in html
    )


def test_a_missing_cell_differs_from_an_empty_one(client):
    html = get_page(client, US)
    assert (
        "A collaborative effort to develop tools for evaluating AI models, including benchmarks and methodologies"
        in html
    )
    assert "cell-missing" in body_cells(html)
    assert "cell-empty" not in body_cells(html)
    assert "Not in this framework" in html


def test_filter_by_one_level_leaves_only_that_column(client):
    html = get_page(client, BRIEF + "?level=coordination")
    assert re.findall(r'<th scope="col" class="level-(\w+)">', html) == ["coordination"]
    assert "Align “incident” definitions” and create interoperable reporting standards" in html
    assert "Develop common AI incident reporting registry" not in html
    assert count(html) == 15
    assert 'id="f-level-coordination" checked' in html


def test_filter_by_several_levels_repeated_or_comma_separated(client):
    repeated = get_page(client, BRIEF + "?level=collaboration&level=separation")
    commas = get_page(client, BRIEF + "?level=separation,collaboration")
    for html in (repeated, commas):
        assert re.findall(r'<th scope="col" class="level-(\w+)">', html) == [
            "collaboration",
            "separation",
        ]
        # 15 activities x 2 levels, of which Institutional Development's two are empty.
        assert count(html) == 30


SHARE = "Share incidents when reported to domestic incident reporting"
REGISTRY = "Develop common AI incident reporting registry"


@pytest.mark.parametrize(
    ("query", "cells", "shown", "not_shown"),
    [
        (
            "?activity=incident-reporting&activity=standards",
            8,
            [SHARE, REGISTRY],
            ["Design and develop joint post-deployment evaluations"],
        ),
        # Only rows holding an emphasised cell stay: incident reporting does, at communication.
        ("?emphasised=true", 12, [SHARE], [REGISTRY]),
        (
            "?level=collaboration,communication&activity=incident-reporting"
            "&kind=verbatim&emphasised=true&q=incident",
            1,
            [SHARE],
            [REGISTRY],
        ),
    ],
    ids=["by-activity", "emphasised-only", "combined"],
)
def test_filters_keep_the_cells_they_select(client, query, cells, shown, not_shown):
    html = get_page(client, BRIEF + query)
    assert count(html) == cells
    for text in shown:
        assert text in html, text
    for text in not_shown:
        assert text not in html, text


def test_filter_by_kind(client):
    html = get_page(client, BRIEF + "?kind=empty")
    assert count(html) == 2
    assert body_cells(html).count("cell-empty") == 2
    assert "Develop common AI incident reporting registry" not in html
    analyst = get_page(client, US + "?kind=analyst")
    assert count(analyst) == 4


def test_keyword_matches_cell_text_and_cited_quotes(client):
    html = get_page(client, BRIEF + "?q=registry")
    assert "Develop common AI incident reporting registry" in html
    assert count(html) == 1
    assert 'value="registry"' in html
    # “optimal” is in no cell's text, only in the narrative quote the two emphasised
    # communication cells cite.
    cited = get_page(client, BRIEF + "?q=optimal")
    assert count(cited) == 2
    assert "Share incidents when reported to domestic incident reporting" in cited
    assert "Develop common AI incident reporting registry" not in cited


# Keywords with nothing the search can look for: common words, the query language's
# operators, punctuation, invisible characters.
NOTHING_TO_SEARCH = ["the", "and or", "'", "-", "%", "AND", "NOT", "*", "…", "\u200b", "-the", '""']


@pytest.mark.parametrize("keyword", NOTHING_TO_SEARCH)
@pytest.mark.parametrize("path", ["/", BRIEF, US])
def test_a_keyword_with_nothing_to_search_is_answered_not_an_error(client, path, keyword):
    response = client.get(path, {"q": keyword, "level": "coordination", "view": "levels"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "has no words to search for" in html
    assert count(html) == 0
    # The other filters are kept in the form, and the page is not a list of errors.
    assert 'value="coordination" id="f-level-coordination" checked' in html
    assert '<option value="levels" selected>' in html
    assert 'role="alert"' not in html


@pytest.mark.parametrize(
    "url",
    [
        f"{BRIEF}export.csv?q=the&level=coordination",
        f"{BRIEF}export.json?q=and+or",
        f"{BRIEF}export.md?q=%E2%80%A6",
        "/api/v1/cells/?q=the&framework=eu-ai-office-uk-aisi",
    ],
)
def test_the_exports_and_the_api_answer_the_same_keywords_with_no_cell(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json()["count"] == 0
    elif ".csv" in url:
        assert (
            b"".join(
                response.streaming_content if response.streaming else [response.content]
            ).count(b"\r\n")
            == 1
        )


def test_a_keyword_longer_than_the_search_takes_is_a_400_naming_it(client):
    from engagement.filters import KEYWORD_MAX_LENGTH
    from search.query import MAX_QUERY_LENGTH

    assert KEYWORD_MAX_LENGTH == MAX_QUERY_LENGTH
    keyword = "incident " * 30
    refused_page(client, f"{BRIEF}?q={keyword}", "q")
    response = client.get("/api/v1/cells/", {"q": keyword})
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


def test_transposed_view_puts_levels_in_rows(client):
    html = get_page(client, BRIEF + "?view=levels&activity=incident-reporting")
    assert 'class="matrix matrix-transposed"' in html
    rows = re.findall(r'<th scope="row" class="level-(\w+)">', html)
    assert rows == ["collaboration", "coordination", "communication", "separation"]
    assert "Develop common AI incident reporting registry" in html


def test_clear_filters_link_and_home_is_the_default_framework(client):
    html = get_page(client, BRIEF + "?level=coordination")
    assert f'<a href="{BRIEF}">Clear filters</a>' in html
    assert count(get_page(client, "/")) == 60


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("level=bogus", "level"),
        ("level=collaboration,bogus", "level"),
        ("activity=not-an-activity", "activity"),
        ("kind=weird", "kind"),
        ("emphasised=maybe", "emphasised"),
        ("view=sideways", "view"),
        ("colour=red", "colour"),
        ("framework=eu-ai-office-uk-aisi", "framework"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, query, parameter):
    html = refused_page(client, f"{BRIEF}?{query}", parameter)
    assert 'role="alert"' in html
    assert "matching cell" not in html


def test_an_unknown_framework_is_a_404(client):
    get_page(client, "/frameworks/no-such-framework/", status=404)


def test_matrix_query_count_does_not_grow(client, django_assert_max_num_queries):
    # 1. the framework, its document and institutions, the levels and activities;
    # 2. its cells with their source citations (passage and document joined), the cell
    # content type being known to the process after its first request. With filters, the
    # form's level and activity lookups add two, and the keyword a subquery of the second.
    get_page(client, BRIEF)
    with django_assert_max_num_queries(2):
        get_page(client, BRIEF)
    with django_assert_max_num_queries(4):
        get_page(client, BRIEF + "?level=collaboration&activity=incident-reporting&q=incident")


def test_frameworks_index(client, django_assert_max_num_queries):
    # count of frameworks; the page of them (document joined); their institutions; levels;
    # their cells with an entry per level; those of every framework listed per level; the
    # comparison picker's suggestions.
    with django_assert_max_num_queries(7):
        html = get_page(client, "/frameworks/")
    assert "EU AI Office and UK AISI (policy brief, March 2025)" in html
    assert "EU AI Office and US AISI (news article, April 2024)" in html
    assert '<link rel="alternate" type="application/json" href="/api/v1/frameworks/">' in html
    assert "<dd>58: Collaboration 14, Coordination 15, Communication 15, Separation 14</dd>" in html
    assert "<dd>4: Collaboration 4, Coordination 0, Communication 0, Separation 0</dd>" in html
    # One chart for all the frameworks listed, not one per framework.
    assert html.count("<svg") == 1
    assert (
        '<desc id="distribution-frameworks-desc">Collaboration: 18; Coordination: 15; Communication: 15; Separation: 14</desc>'
        in html
    )
