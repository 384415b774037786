"""Repairs proposed, never imposed: a new version of a document orphans citations; each gets
suggestions in the new text; an editor accepts one (API or page) and the history names them;
a suggestion a later version made stale is a 409. Suggestions are computed when an ingest
orphans citations, stored, and listed from storage; a stored row that no longer fits the
text is computed again rather than shown."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from atlas.editors import editors_group_sync
from sources import suggestions
from sources.models import Citation, Document, StoredSuggestions
from sources.services import document_upsert
from tests.seedtext import ARTICLE, BRIEF, source_text

pytestmark = pytest.mark.usefixtures("kb")

# Cited sentences of the brief (as the reader shows them) and how the new version words
# them (a sentence of a paragraph, a cell of Table 1); the source text marks the first word
# of the paragraph's bold (`**Communication**`).
REWORDED = {
    "Communication is well-suited to areas like risk monitoring and incident reporting": (
        "Communication is best suited to areas such as risk monitoring and incident reporting"
    ),
    "Tailor risk thresholds according to domestic priorities and risk tolerance": (
        "Tailor the risk thresholds to domestic priorities and to risk tolerance"
    ),
}
# The third version words the first sentence once more.
REWORDED_AGAIN = "Communication suits fields like risk monitoring and incident reporting"
MARKED = "**Communication**"


def in_source(shown: str) -> str:
    """A sentence of REWORDED as the source text writes it."""
    return shown.replace("Communication", MARKED, 1) if shown.startswith("Communication") else shown


def new_version(text: str) -> None:
    """Ingest `text` as the brief's new version, as `ingest --update` does."""
    document = Document.objects.get(slug=BRIEF)
    document_upsert(
        slug=BRIEF,
        title=document.title,
        kind=document.kind,
        text=text,
        format=document.format,
        authors=document.authors,
        publisher=document.publisher,
        published=document.published,
        published_precision=document.published_precision,
        url=document.url,
        language=document.language,
    )


def reworded_text() -> str:
    text = source_text(BRIEF)
    for old, new in REWORDED.items():
        assert text.count(in_source(old)) == 1, old
        text = text.replace(in_source(old), in_source(new))
    return text


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user(
        "repairer", password="correct horse battery", first_name="Rita", last_name="Repair"
    )
    user.groups.add(editors_group_sync())
    return user


@pytest.fixture
def api(editor) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=editor)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def orphaned_list(api) -> list[dict]:
    response = api.get("/api/v1/citations/", {"orphaned": "true", "page_size": 500})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def stale_suggestion_is_a_409(api, left: Citation, items: dict) -> None:
    """A later version rewords `left`'s sentence again: the suggestion read before (in
    `items`) is a 409 that changes nothing, and its suggestions now point at the newest
    words."""
    stale = items[left.pk]["suggestions"][0]
    new_version(
        reworded_text().replace(
            in_source(REWORDED[next(iter(REWORDED))]), in_source(REWORDED_AGAIN)
        )
    )
    before = left.history.count()
    response = api.post(
        f"/api/v1/citations/{left.pk}/reanchor/",
        {k: stale[k] for k in ("passage", "start", "end")},
        format="json",
    )
    assert response.status_code == 409, response.content
    left.refresh_from_db()
    assert left.orphaned and left.history.count() == before
    item = next(i for i in orphaned_list(api) if i["id"] == left.pk)
    assert item["suggestions"][0]["exact"] == REWORDED_AGAIN


def test_reworded_sentences_get_suggestions_that_an_editor_accepts(api, editor, client):
    cited = {
        old: list(Citation.objects.filter(passage__document__slug=BRIEF, exact=old))
        for old in REWORDED
    }
    assert all(cited.values())
    new_version(reworded_text())

    items = {item["id"]: item for item in orphaned_list(api)}
    for old, new in REWORDED.items():
        for citation in cited[old]:
            item = items[citation.pk]  # orphaned by the new version
            assert not item["valid"]
            best = item["suggestions"][0]
            assert best["exact"] == new, (old, item["suggestions"])
            assert best["passage"] == citation.passage.anchor
            assert 0 < best["score"] <= 1
    # Every orphaned citation of the brief has a suggestion, the best one first.
    for item in items.values():
        if item["document"] == BRIEF:
            scores = [s["score"] for s in item["suggestions"]]
            assert scores and scores == sorted(scores, reverse=True) and len(scores) <= 3
    # Suggestions change nothing by themselves.
    assert all(Citation.objects.get(pk=pk).orphaned for pk in items)

    # Accepted through the API: valid, the quote the new words, the editor in the history.
    first_old = next(iter(REWORDED))
    by_api = cited[first_old][0]
    suggestion = items[by_api.pk]["suggestions"][0]
    response = api.post(
        f"/api/v1/citations/{by_api.pk}/reanchor/",
        {k: suggestion[k] for k in ("passage", "start", "end")},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response["ETag"]
    body = response.json()
    assert body["valid"] and not body["orphaned"] and body["suggestions"] == []
    assert body["exact"] == REWORDED[first_old]
    by_api.refresh_from_db()
    assert by_api.valid and by_api.exact == REWORDED[first_old]
    record = by_api.history.first()
    assert record.history_user == editor and record.history_type == "~"
    assert by_api.history.count() >= 2

    # Accepted on the editors' page: the same service, a message, the history.
    second_old = list(REWORDED)[1]
    by_page = cited[second_old][0]
    client.force_login(editor)
    page = client.get("/editors/citations/orphaned/")
    assert page.status_code == 200
    html = page.content.decode()
    assert REWORDED[second_old] in html and "Accept suggestion 1" in html
    proposal = items[by_page.pk]["suggestions"][0]
    response = client.post(
        f"/editors/citations/{by_page.pk}/reanchor/",
        {k: proposal[k] for k in ("passage", "start", "end", "exact")},
        follow=True,
    )
    assert response.status_code == 200
    assert f"Citation {by_page.pk} now quotes" in response.content.decode()
    by_page.refresh_from_db()
    assert by_page.valid and by_page.exact == REWORDED[second_old]
    assert by_page.history.first().history_user == editor

    # A later version rewords the sentence again: the suggestion read before is stale.
    stale_suggestion_is_a_409(api, cited[first_old][1], items)


def test_the_list_reads_each_documents_text_once_whatever_the_number_of_citations(api):
    new_version(reworded_text())
    article = Citation.objects.filter(passage__document__slug=ARTICLE).order_by("pk")
    Citation.objects.filter(pk=article[0].pk).update(orphaned=True)

    def count() -> tuple[int, int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            results = orphaned_list(api)
        return len(results), len(queries), [q["sql"] for q in queries]

    few, queries_few, _ = count()
    Citation.objects.filter(pk__in=[c.pk for c in article[1:4]]).update(orphaned=True)
    many, queries_many, sql = count()
    assert many == few + 3
    # The token, the dataset version, the count, the page (citations with their passages
    # and documents joined, their content types), the stored suggestions; for the citations
    # orphaned here without an ingest (none stored), one read of the current passages of
    # every document they point into and one write storing what was computed.
    assert queries_many == queries_few, sql
    passage_reads = [s for s in sql if s.startswith('SELECT "sources_passage"."document_id"')]
    assert len(passage_reads) == 1, passage_reads


def test_a_citation_no_candidate_fits_has_no_suggestion_and_cannot_be_reanchored(api):
    citation = Citation.objects.filter(passage__document__slug=BRIEF).order_by("pk").first()
    exact = "Zebras graze quietly beside the lighthouse at dawn"
    Citation.objects.filter(pk=citation.pk).update(
        orphaned=True, exact=exact, end=citation.start + len(exact)
    )
    item = next(i for i in orphaned_list(api) if i["id"] == citation.pk)
    assert item["suggestions"] == []
    response = api.post(
        f"/api/v1/citations/{citation.pk}/reanchor/",
        {"passage": citation.passage.anchor, "start": 0, "end": 3},
        format="json",
    )
    assert response.status_code == 409
    assert Citation.objects.get(pk=citation.pk).orphaned


def test_a_valid_citation_has_no_suggestions_and_reanchoring_it_is_a_conflict(api):
    citation = Citation.objects.filter(passage__document__slug=BRIEF).order_by("pk").first()
    body = api.get(f"/api/v1/citations/{citation.pk}/").json()
    assert body["valid"] and body["suggestions"] == []
    response = api.post(
        f"/api/v1/citations/{citation.pk}/reanchor/",
        {"passage": citation.passage.anchor, "start": citation.start, "end": citation.end},
        format="json",
    )
    assert response.status_code == 409
    assert "not orphaned" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": 0, "end": 5}, "passage"),
        ({"passage": "no-such-passage", "start": 0, "end": 5}, "passage"),
        ({"passage": "bad anchor!", "start": 0, "end": 5}, "passage"),
        ({"passage": "PASSAGE", "end": 5}, "start"),
        ({"passage": "PASSAGE", "start": -1, "end": 5}, "start"),
        ({"passage": "PASSAGE", "start": "two", "end": 5}, "start"),
        ({"passage": "PASSAGE", "start": 0}, "end"),
        ({"passage": "PASSAGE", "start": 5, "end": 5}, "end"),
        ({"passage": "PASSAGE", "start": 0, "end": 10**30}, "end"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, body, field):
    citation = Citation.objects.filter(passage__document__slug=BRIEF).order_by("pk").first()
    Citation.objects.filter(pk=citation.pk).update(orphaned=True)
    if body.get("passage") == "PASSAGE":
        body = {**body, "passage": citation.passage.anchor}
    response = api.post(f"/api/v1/citations/{citation.pk}/reanchor/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Citation.objects.get(pk=citation.pk).history.count() == citation.history.count()


def test_only_editors_reanchor(client, django_user_model):
    citation = Citation.objects.order_by("pk").first()
    url = f"/api/v1/citations/{citation.pk}/reanchor/"
    body = {"passage": citation.passage.anchor, "start": 0, "end": 3}
    assert APIClient().post(url, body, format="json").status_code == 401
    reader = django_user_model.objects.create_user("reader", password="correct horse battery")
    outsider = APIClient()
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reader).key}")
    assert outsider.post(url, body, format="json").status_code == 403
    assert APIClient().post("/api/v1/citations/999999/reanchor/", body).status_code == 401


def test_the_editors_page_is_for_editors_only(client, editor, django_user_model):
    url = "/editors/citations/orphaned/"
    response = client.get(url)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    reader = django_user_model.objects.create_user("reader", password="correct horse battery")
    client.force_login(reader)
    assert client.get(url).status_code == 403
    citation = Citation.objects.order_by("pk").first()
    response = client.post(f"/editors/citations/{citation.pk}/reanchor/", {})
    assert response.status_code == 403
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200 and "No citation is orphaned." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get(url, {"page": "zero"}).status_code == 400
    assert client.get(url, {"sort": "x"}).status_code == 400


def test_the_editors_page_is_paginated_and_grouped_by_document(client, editor):
    Citation.objects.filter(passage__document__slug__in=[BRIEF, ARTICLE]).update(orphaned=True)
    total = Citation.objects.filter(orphaned=True).count()
    assert total > 20
    client.force_login(editor)
    html = client.get("/editors/citations/orphaned/").content.decode()
    assert f"{total} orphaned citations, 1 to 20 on this page" in html
    assert html.count('class="card"') == 20
    assert 'rel="next"' in html
    last = (total - 1) // 20 + 1
    html = client.get("/editors/citations/orphaned/", {"page": last}).content.decode()
    assert html.count('class="card"') == total - (last - 1) * 20


def test_a_stale_suggestion_on_the_page_changes_nothing_and_says_why(client, editor):
    citation = Citation.objects.filter(passage__document__slug=BRIEF).order_by("pk").first()
    Citation.objects.filter(pk=citation.pk).update(orphaned=True)
    client.force_login(editor)
    response = client.post(
        f"/editors/citations/{citation.pk}/reanchor/",
        {"passage": citation.passage.anchor, "start": 0, "end": 1, "exact": "x", "page": 1},
        follow=True,
    )
    assert f"Citation {citation.pk} was not changed" in response.content.decode()
    assert Citation.objects.get(pk=citation.pk).orphaned


def _no_matching(monkeypatch) -> None:
    def refuse(**kwargs):
        raise AssertionError("suggestions were computed at a request")

    monkeypatch.setattr(suggestions, "repair_suggestions", refuse)


def test_an_ingest_stores_the_suggestions_the_list_shows(api, monkeypatch):
    new_version(reworded_text())
    orphaned = list(Citation.objects.filter(orphaned=True).order_by("pk"))
    assert orphaned
    stored = {s.citation_id: s for s in StoredSuggestions.objects.all()}
    assert set(stored) == {c.pk for c in orphaned}
    _no_matching(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        items = {item["id"]: item for item in orphaned_list(api)}
    for citation in orphaned:
        assert items[citation.pk]["suggestions"] == stored[citation.pk].candidates
        assert stored[citation.pk].fingerprint == suggestions.fingerprint(citation)
    assert any(items[c.pk]["suggestions"] for c in orphaned)
    # Nothing of the documents' passages is read, nothing written.
    sql = [q["sql"] for q in queries]
    assert not [s for s in sql if 'FROM "sources_passage" WHERE' in s], sql
    assert not [s for s in sql if s.startswith(("INSERT", "UPDATE"))], sql


def test_the_editors_page_lists_stored_suggestions(client, editor, monkeypatch):
    new_version(reworded_text())
    best = StoredSuggestions.objects.exclude(candidates=[]).first().candidates[0]
    _no_matching(monkeypatch)
    client.force_login(editor)
    html = client.get("/editors/citations/orphaned/").content.decode()
    assert best["exact"] in html


def test_a_stale_stored_row_is_computed_again_and_stored(api):
    new_version(reworded_text())
    row = StoredSuggestions.objects.exclude(candidates=[]).first()
    right = row.candidates
    StoredSuggestions.objects.filter(pk=row.pk).update(
        fingerprint="0" * 64, candidates=[{**right[0], "exact": "not the words"}]
    )
    item = next(i for i in orphaned_list(api) if i["id"] == row.citation_id)
    assert item["suggestions"] == right
    row.refresh_from_db()
    assert row.candidates == right
    assert row.fingerprint == suggestions.fingerprint(Citation.objects.get(pk=row.citation_id))


def test_a_new_version_replaces_the_stored_suggestions(api):
    new_version(reworded_text())
    row = StoredSuggestions.objects.exclude(candidates=[]).first()
    before = (row.fingerprint, row.candidates)
    new_version(reworded_text() + "\n\nA paragraph added by a later version.\n")
    row.refresh_from_db()
    assert row.fingerprint != before[0]
    assert row.fingerprint == suggestions.fingerprint(Citation.objects.get(pk=row.citation_id))


def test_reanchoring_removes_the_stored_row(api):
    new_version(reworded_text())
    row = StoredSuggestions.objects.exclude(candidates=[]).first()
    best = row.candidates[0]
    response = api.post(
        f"/api/v1/citations/{row.citation_id}/reanchor/",
        {k: best[k] for k in ("passage", "start", "end")},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert not StoredSuggestions.objects.filter(pk=row.pk).exists()
    assert not Citation.objects.get(pk=row.citation_id).orphaned
