"""Pages that list many things show a page of them: `?page=`, links rel="prev"/"next", a 400
naming `page` for a page that is not one, filters, and query counts that do not grow."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.synthesis import knowledge_base_synthesize
from engagement import views as engagement_views
from institutions import views as institution_views
from institutions.models import Institution
from sources import views as source_views
from tests.factories import InstitutionFactory, RelationshipFactory
from tests.helpers import get_page, refused_page

pytestmark = pytest.mark.usefixtures("kb")

# Each paginated page, and the view whose page size the tests shrink.
PAGINATED = {
    "/frameworks/": engagement_views.FrameworkIndexView,
    "/activities/": engagement_views.ActivityIndexView,
    "/activities/develop-evaluations/": engagement_views.ActivityDetailView,
    "/levels/coordination/": engagement_views.LevelDetailView,
    "/institutions/": institution_views.InstitutionIndexView,
    "/institutions/uk-aisi/": institution_views.InstitutionDetailView,
    "/documents/": source_views.DocumentIndexView,
}


def _page_size(monkeypatch, size: int) -> None:
    for view in PAGINATED.values():
        monkeypatch.setattr(view, "paginate_by", size)


@pytest.fixture
def two_a_page(monkeypatch):
    """Every paginated page shows two items a page, so the seeded data fills several."""
    _page_size(monkeypatch, 2)


@pytest.fixture
def one_a_page(monkeypatch):
    """One item a page: the seeded data has at least two pages of every list."""
    _page_size(monkeypatch, 1)


def queries(client, url: str) -> int:
    """The queries of the second request for `url` (the first warms per-process lookups)."""
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_query_counts_are_the_same_at_two_data_sizes(client, one_a_page):
    pages = [*PAGINATED, *(f"{url}?page=2" for url in PAGINATED)]
    seeded = {url: queries(client, url) for url in pages}
    # Three times the seeded knowledge base, and more ties of one institution.
    knowledge_base_synthesize(scale=3)
    uk_aisi = Institution.objects.get(slug="uk-aisi")
    for _ in range(5):
        RelationshipFactory(subject=uk_aisi, object=InstitutionFactory())
    larger = {url: queries(client, url) for url in pages}
    last = {url: queries(client, f"{url}?page=3") for url in PAGINATED}
    assert larger == seeded
    assert last == {url: seeded[url] for url in PAGINATED}


@pytest.mark.parametrize("url", PAGINATED)
def test_pages_link_the_previous_and_the_next(client, one_a_page, url):
    first = get_page(client, url)
    assert f'<link rel="next" href="{url}?page=2">' in first
    assert 'rel="prev"' not in first
    assert f'<a href="{url}?page=2" rel="next">Next' in first
    second = get_page(client, f"{url}?page=2")
    # Page 1 has one address: without the parameter.
    assert f'<link rel="prev" href="{url}">' in second
    assert f'<a href="{url}" rel="prev">Previous' in second
    assert '<a href="' + url + '?page=2" aria-current="page">' in second


def test_the_last_page_has_no_next_and_the_page_list_skips(client, two_a_page):
    # 15 activities at two a page: 8 pages.
    html = get_page(client, "/activities/?page=8")
    assert 'rel="next"' not in html
    assert '<link rel="prev" href="/activities/?page=7">' in html
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', html)
    assert numbers == ["1", "6", "7", "8"]
    assert html.count('<span class="gap" aria-hidden="true">…</span>') == 1
    assert "15 activities, 15 to 15 on this page." in html


def test_other_parameters_are_kept_from_page_to_page(client, two_a_page):
    html = get_page(client, "/institutions/?kind=safety_institute&jurisdiction=UK")
    assert "UK AI Security Institute" in html
    html = get_page(client, "/activities/?q=e")
    assert '<link rel="next" href="/activities/?q=e&amp;page=2">' in html


@pytest.mark.parametrize("url", PAGINATED)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("two", "“two” is not a page number; use a whole number from 1."),
        ("0", "“0” is not a page number"),
        ("-1", "“-1” is not a page number"),
        ("1.5", "“1.5” is not a page number"),
        ("²", "“²” is not a page number"),
        # Beyond any whole number a route takes: the parameter guard (core/params.py).
        ("9" * 60, "Out of range"),
        ("99", "There is no page 99: there"),
    ],
)
def test_a_bad_page_is_a_400_naming_it(client, url, value, message):
    response = client.get(url, {"page": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Parameter <code>page</code>" in html
    assert message in html
    assert 'role="alert"' in html


def test_every_page_is_bounded(client, two_a_page):
    """At three times the seeded data, each page still shows two items."""
    knowledge_base_synthesize(scale=3)
    html = get_page(client, "/frameworks/")
    assert len(re.findall(r'<li class="card">', html)) == 2
    assert "6 frameworks, 1 to 2 on this page." in html
    html = get_page(client, "/institutions/?page=2")
    assert len(re.findall(r'<th scope="row"><a href="/institutions/', html)) == 2
    html = get_page(client, "/levels/coordination/")
    assert len(re.findall(r"<h3><a href=\"/frameworks/", html)) == 2
    html = get_page(client, "/activities/develop-evaluations/")
    assert len(re.findall(r'<th scope="row"><a href="/frameworks/', html)) == 2
    html = get_page(client, "/documents/")
    assert len(re.findall(r'<li class="card">', html)) == 2


# --- filters --------------------------------------------------------------------------------


def selected_options(html: str, name: str) -> list[str]:
    """The values of the options selected in the form's `<select name=...>`."""
    (select,) = re.findall(rf'<select [^>]*name="{name}">(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_institutions_by_kind_jurisdiction_and_name(client):
    html = get_page(client, "/institutions/?kind=safety_institute&jurisdiction=UK")
    assert "1 institution." in html
    assert 'href="/institutions/uk-aisi/">UK AI Security Institute</a>' in html
    # The form shows the filters the list was made with, and only those.
    assert selected_options(html, "kind") == ["safety_institute"]
    assert selected_options(html, "jurisdiction") == ["UK"]
    html = get_page(client, "/institutions/?q=AI+Safety+Institute")
    # By a former name too: the UK AISI was the AI Safety Institute.
    assert 'href="/institutions/uk-aisi/">UK AI Security Institute</a>' in html
    assert 'href="/institutions/us-aisi/">US AI Safety Institute</a>' in html
    assert 'href="/institutions/eu-ai-office/"' not in html
    assert selected_options(html, "kind") == selected_options(html, "jurisdiction") == []


def test_frameworks_by_institution_document_and_name(client):
    html = get_page(client, "/frameworks/?institution=us-aisi")
    assert "1 framework." in html
    assert re.findall(r'<h2><a href="/frameworks/([\w-]+)/">', html) == ["eu-ai-office-us-aisi"]
    html = get_page(client, "/frameworks/?document=synergies-eu-ai-office-uk-aisi-2025")
    assert "1 framework." in html
    assert re.findall(r'<h2><a href="/frameworks/([\w-]+)/">', html) == ["eu-ai-office-uk-aisi"]
    html = get_page(client, "/frameworks/?q=news+article")
    assert re.findall(r'<h2><a href="/frameworks/([\w-]+)/">', html) == ["eu-ai-office-us-aisi"]
    # The chart counts the frameworks listed, every page of them.
    assert (
        '<desc id="distribution-frameworks-desc">Collaboration: 4; Coordination: 0; Communication: 0; Separation: 0</desc>'
        in html
    )


@pytest.mark.parametrize(
    ("url", "shown", "not_shown"),
    [
        (
            "/documents/?kind=news_article",
            ["1 document.", "EU and US Deepen AI Collaboration"],
            ["Looking Ahead"],
        ),
        (
            "/documents/?q=synergies",
            ["Looking Ahead: Synergies Between the EU AI Office and UK AISI", "1 document."],
            [],
        ),
        (
            "/activities/develop-evaluations/?institution=us-aisi",
            ["1 framework.", "A collaborative effort to develop tools for evaluating AI models"],
            ["Design and develop joint post-deployment evaluations"],
        ),
        (
            "/levels/collaboration/?q=policy+brief",
            ["Develop common AI incident reporting registry"],
            ["The collaboration encompasses AI testing"],
        ),
    ],
)
def test_documents_activities_and_levels_show_what_their_filters_keep(
    client, url, shown, not_shown
):
    html = get_page(client, url)
    for text in shown:
        assert text in html, text
    for text in not_shown:
        assert text not in html, text


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/institutions/?kind=spy_agency", "kind"),
        ("/institutions/?jurisdiction=Atlantis", "jurisdiction"),
        ("/institutions/?parent=nobody", "parent"),
        ("/frameworks/?institution=nobody", "institution"),
        ("/frameworks/?document=nothing", "document"),
        ("/documents/?kind=novel", "kind"),
        ("/activities/develop-evaluations/?institution=nobody", "institution"),
        ("/levels/collaboration/?document=nothing", "document"),
        ("/frameworks/?colour=red", "colour"),
        ("/institutions/uk-aisi/?q=x", "q"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, url, parameter):
    refused_page(client, url, parameter)


def test_an_institution_page_lists_its_first_frameworks_and_links_them_all(client, monkeypatch):
    monkeypatch.setattr(institution_views, "FIRST_FEW", 1)
    html = get_page(client, "/institutions/eu-ai-office/")
    assert len(re.findall(r'<li><a href="/frameworks/[\w-]+/">', html)) == 1
    assert (
        '<a href="/frameworks/?institution=eu-ai-office">All 2 frameworks of EU AI Office</a>'
        in html
    )
    listed = get_page(client, "/frameworks/?institution=eu-ai-office")
    assert "2 frameworks." in listed


def test_an_institution_pages_its_relationships(client, two_a_page):
    html = get_page(client, "/institutions/eu-ai-office/")
    assert re.search(r"\d+ relationships, 1 to 2 on this page\.", html)
    assert '<link rel="next" href="/institutions/eu-ai-office/?page=2">' in html
