"""The cell page: text, framework, citations in their passages with the quote marked."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.utils.timezone import localtime

from tests.helpers import brief_cell

pytestmark = pytest.mark.usefixtures("kb")

URL = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination/"


def test_cell_page_shows_the_text_and_marks_the_quote_in_its_passage(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    cell = brief_cell("incident-reporting", "coordination")
    citation = cell.citations.get()
    assert (
        "<title>Incident Reporting / Coordination · EU AI Office and UK AISI (policy brief, March 2025) · Engagement Atlas</title>"
        in html
    )
    assert (
        '<p class="cell-text-large">Align “incident” definitions” and create interoperable reporting standards</p>'
        in html
    )
    # The passage in context: the row under its table's header row, the quote marked in
    # its cell, so that the cell reads as activity -> coordination.
    assert (
        '<table class="passage-table"><thead><tr><th scope="col">Common activities</th>\t'
        '<th scope="col">Collaboration</th>\t<th scope="col">Coordination</th>\t'
        '<th scope="col">Communication</th>\t<th scope="col">Separation</th></tr></thead>'
        '<tbody><tr><th scope="row">Incident Reporting</th>\t'
        "<td>Develop common AI incident reporting registry</td>\t"
        '<td><mark class="quote">Align “incident” definitions” and create interoperable '
        "reporting standards</mark></td>\t"
    ) in html
    assert (
        f'href="/documents/synergies-eu-ai-office-uk-aisi-2025/?cite={citation.pk}#table-1-incident-reporting"'
        in html
    )
    assert ">EU AI Office</a>, <a" in html and ">UK AI Security Institute</a>" in html
    # Neighbours: same row and same column.
    assert (
        'href="/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/">Collaboration</a>: Develop common AI incident reporting registry'
        in html
    )
    assert (
        'href="/frameworks/eu-ai-office-uk-aisi/cells/risk-thresholds/coordination/">Risk Thresholds</a>'
        in html
    )
    # When the cell last changed: the machine-readable instant, and the day and minute a
    # reader sees (in the site's time zone).
    ((instant, shown),) = re.findall(
        r'<dt>Last changed</dt><dd><time datetime="([^"]+)">([^<]+)</time>', html
    )
    # HTML's valid date-time carries at most milliseconds.
    assert datetime.fromisoformat(instant) == cell.updated_at.replace(
        microsecond=cell.updated_at.microsecond // 1000 * 1000
    )
    local = localtime(cell.updated_at)
    assert shown.startswith(f"{local.day} {local:%B %Y, %H:%M}")
    assert "http://testserver" + URL in html
    assert f'<link rel="alternate" type="application/json" href="/api/v1/cells/{cell.pk}/">' in html


def test_an_emphasised_cell_shows_both_citations(client):
    html = client.get(
        "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/communication/"
    ).content.decode()
    assert "Narrative emphasis" in html
    # The source writes the first word in bold (`**Communication**`): the quote is the words
    # the reader sees, and the marks, read in order, are exactly those words.
    assert (
        '<strong><mark class="quote">Communication</mark></strong><mark class="quote"> is '
        "well-suited to areas like risk monitoring and incident reporting</mark>"
    ) in html
    assert (
        '<mark class="quote">Two areas where communication may be the optimal level of engagement are risk monitoring and incident reporting.</mark>'
        in html
    )


def test_an_empty_cell_says_so(client):
    response = client.get(
        "/frameworks/eu-ai-office-uk-aisi/cells/institutional-development/collaboration/"
    )
    assert response.status_code == 200
    assert (
        "None stated in the source: the source's table leaves this cell blank."
        in response.content.decode()
    )


@pytest.mark.parametrize(
    "url",
    [
        "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/nowhere/",
        "/frameworks/eu-ai-office-uk-aisi/cells/no-activity/coordination/",
        "/frameworks/eu-ai-office-us-aisi/cells/incident-reporting/coordination/",
    ],
)
def test_no_such_cell_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_cell_page_query_count(client, django_assert_max_num_queries):
    # the cell (framework, document, activity, level joined), its citations' content type,
    # its citations (passage, document), the framework's institutions, the neighbours.
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200


def test_the_cell_page_shows_its_permalink_as_a_plain_address(client):
    """The stylesheet draws "#" before a passage's permalink (a link without text of its
    own); the cell page's permalink, whose text is its address, must not read "#http://"."""
    from pathlib import Path

    from django.conf import settings

    html = client.get(URL).content.decode()
    permalink = re.search(r"<dt>Permalink</dt><dd>(<a [^>]*>)http://testserver" + URL, html)
    assert permalink, "the cell page shows its permalink"
    css = (Path(settings.BASE_DIR) / "static/css/atlas.css").read_text()
    drawn = [
        selector.strip()
        for selectors, body in re.findall(
            r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        )
        if re.search(r"content:\s*\"#\"", body)
        for selector in selectors.split(",")
    ]
    assert drawn
    # Each rule that draws "#" needs the passage tools around the link, which the cell
    # page's permalink does not have.
    assert all(selector.startswith(".passage-tools ") for selector in drawn), drawn
    assert "passage-tools" not in html[: html.index("<dt>Permalink</dt>") + 200]


def test_the_cell_page_json_twin_is_the_cell(client):
    cell = brief_cell("incident-reporting", "coordination")
    html = client.get(URL).content.decode()
    twin = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', html)
    assert twin and twin.group(1) == f"/api/v1/cells/{cell.pk}/"
    response = client.get(twin.group(1))
    assert response.status_code == 200 and response.json()["id"] == cell.pk
