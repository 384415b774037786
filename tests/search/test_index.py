"""The index follows every write (database triggers), and the page and matrix filter use it."""

from __future__ import annotations

import pytest
from django.db import connection

from engagement.filters import cells_matching
from engagement.models import Activity, Cell
from institutions.models import Institution, InstitutionAlias
from search import index
from search.models import SearchEntry
from sources.models import Citation, Passage
from tests.helpers import brief_cell
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1/search/"


def _urls(client, query, **params):
    return [r["url"] for r in client.get(API, {"q": query, **params}).json().get("results", [])]


def _triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, trigger_name FROM information_schema.triggers "
                "WHERE trigger_name LIKE 'search%%'"
            )
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        return set(cursor.fetchall())


def test_every_trigger_is_installed():
    # A later migration that rebuilds one of these tables on SQLite would drop its triggers.
    assert index.expected_triggers(connection.vendor) <= _triggers()


def test_every_object_has_its_entry():
    assert SearchEntry.objects.filter(kind="cell").count() == Cell.objects.count() == 64
    assert SearchEntry.objects.filter(kind="passage").count() == Passage.objects.count()
    assert SearchEntry.objects.filter(kind="institution").count() == Institution.objects.count()


def test_an_edited_cell_is_found_by_its_new_text(client):
    cell = brief_cell("incident-reporting", "collaboration")
    Cell.objects.filter(pk=cell.pk).update(text="Build a shared zeppelin logbook")
    url = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/"
    assert _urls(client, "zeppelin") == [url]
    result = client.get(API, {"q": "zeppelin"}).json()["results"][0]
    assert "Build a shared <mark>zeppelin</mark> logbook" in result["snippet"]


def test_a_renamed_activity_renames_its_cells_in_the_index(client):
    Activity.objects.filter(slug="standards").update(name="Norms and Standards")
    urls = _urls(client, "norms", type="cell")
    assert len(urls) == Cell.objects.filter(activity__slug="standards").count()
    assert all("/cells/standards/" in url for url in urls)


def test_a_new_alias_and_a_deleted_citation_reach_the_index(client):
    japan = Institution.objects.get(slug="japan-aisi")
    InstitutionAlias.objects.create(institution=japan, name="Nippon Evaluation Body")
    assert _urls(client, "Nippon") == ["/institutions/japan-aisi/"]
    cell = brief_cell("incident-reporting", "collaboration")
    url = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/collaboration/"
    assert url not in _urls(client, "Hiroshima", type="cell")
    passage = Passage.objects.get(document__slug=BRIEF, anchor="1-collaboration-p3")
    start = passage.text.index("G7 Hiroshima")
    citation = Citation.objects.create(
        claim=cell,
        role="support",
        passage=passage,
        exact="G7 Hiroshima",
        start=start,
        end=start + 12,
    )
    assert _urls(client, "Hiroshima", type="cell") == [url]
    citation.delete()
    assert url not in _urls(client, "Hiroshima", type="cell")


def test_a_deleted_passage_leaves_the_index():
    passage = Passage.objects.filter(citations__isnull=True).first()
    Passage.objects.filter(pk=passage.pk).delete()
    assert not SearchEntry.objects.filter(kind="passage", object_id=passage.pk).exists()


def test_cells_matching_is_the_search():
    found = cells_matching(Cell.objects.all(), "incident registry")
    assert [(c.activity.slug, c.level.slug) for c in found] == [
        ("incident-reporting", "collaboration")
    ]
    assert not cells_matching(Cell.objects.all(), "the").exists()
    assert not cells_matching(Cell.objects.all(), "!!!").exists()


def test_the_matrix_keyword_filter_uses_the_search(client):
    html = client.get("/frameworks/eu-ai-office-uk-aisi/", {"q": '"reporting registry"'}).content
    html = html.decode()
    assert "Develop common AI incident reporting registry" in html
    assert "Share incidents when reported to domestic incident reporting" not in html


def test_data_in_snippets_is_escaped(client):
    Cell.objects.filter(activity__slug="standards", level__slug="collaboration").update(
        text='<script>alert("x")</script> Harmonization of quokka standards'
    )
    result = client.get(API, {"q": "quokka"}).json()["results"][0]
    # SQLite shows the tag escaped, PostgreSQL's ts_headline leaves tags out: either way the
    # only markup is ours.
    assert "<mark>quokka</mark>" in result["snippet"]
    assert "<" not in result["snippet"].replace("<mark>", "").replace("</mark>", "")
    page = client.get("/search/", {"q": "quokka"}).content.decode()
    assert "<script>alert" not in page
    assert "<mark>quokka</mark>" in page


def test_the_page(client):
    response = client.get("/search/", {"q": "CBRN"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<link rel="alternate" type="application/json"') == 1
    assert '<link rel="alternate" type="application/json" href="/api/v1/search/?q=CBRN">' in html
    assert '<form class="search-form" method="get" action="/search/"' in html
    assert 'href="/documents/synergies-eu-ai-office-uk-aisi-2025/#2-coordination-p5"' in html
    assert "(<mark>CBRN</mark>) evaluations" in html
    assert "1 result for “CBRN”" in html


def test_facet_links_keep_the_url_as_the_state(client):
    html = client.get("/search/", {"q": "registry", "type": "cell"}).content.decode()
    assert 'href="?q=registry&amp;type=cell&amp;level=collaboration"' in html
    assert 'href="?q=registry"' in html  # removes the selected type
    assert '<input type="hidden" name="type" value="cell">' in html


def test_the_page_without_a_query_is_the_form(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


def test_the_page_explains_a_bad_query(client):
    response = client.get("/search/", {"q": "the of"})
    assert response.status_code == 400
    assert "only common words" in response.content.decode()
