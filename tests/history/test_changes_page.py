"""`/changes/` and `/changes/feed.atom`: what changed, newest first, with word-level
differences, for people and for feed readers."""

from __future__ import annotations

import re

import feedparser
import pytest
from django.db import transaction

from engagement.models import Cell, EngagementLevel
from tests.helpers import brief_cell, get_page, make_history, refused_page
from tests.history.conftest import PUBLIC_NAME

API = "/api/v1"
pytestmark = pytest.mark.usefixtures("kb")


def changes(html: str) -> list[str]:
    """The HTML of each change a changes page lists, in its order (from its class to its end)."""
    starts = [match.start() for match in re.finditer('class="change ', html)]
    return [html[start : html.index("</li>", start)] for start in starts]


@pytest.fixture
def edited(client_editor) -> Cell:
    """A cell whose text an editor changed through the API: one word replaced, one added."""
    cell = Cell.objects.select_related("framework", "activity", "level").get(
        framework__slug="eu-ai-office-uk-aisi", activity__slug="standards", level__slug="separation"
    )
    assert cell.text == "Explanatory guidance re. respective AI safety standards and policies"
    response = client_editor.patch(
        f"{API}/cells/{cell.pk}/",
        {
            "kind": "analyst",
            "text": "Explanatory guidance re. shared AI safety standards and laws now",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    return cell


def test_the_page_shows_each_change_with_its_words_struck_and_added(client, edited):
    html = get_page(client, "/changes/")
    change = changes(html)[0]
    assert "Changed</span> Cell:" in change
    assert f'<a href="{edited.get_absolute_url()}">Standards / Separation' in change
    assert f"by {PUBLIC_NAME}" in change and "ada.l" not in html and "ada@example.org" not in html
    words = re.sub(r"<span class=\"visually-hidden\">[^<]*</span>", "", change)
    assert (
        "Explanatory guidance re. <del>respective</del><ins>shared</ins> AI safety standards "
        "and <del>policies</del><ins>laws now</ins>"
    ) in words
    # Said in words for screen readers; struck through and underlined for everyone.
    assert '<del><span class="visually-hidden">removed: </span>respective</del>' in change
    # A choice is shown before → after.
    assert (
        'verbatim <span aria-hidden="true">→</span><span class="visually-hidden">became</span> analyst'
        in change
    )
    # Where: its framework, activity and level, each with a link to its own changes.
    assert '<a href="?framework=eu-ai-office-uk-aisi">its changes</a>' in change
    assert '<link rel="alternate" type="application/atom+xml"' in html


def test_newest_first_and_a_page_at_a_time(client, editor):
    for index in range(3):
        with transaction.atomic():
            level = EngagementLevel.objects.get(slug="separation")
            level.name = f"Separation {index}"
            level._history_user = editor
            level.save()
    from atlas import changes_views

    size = changes_views.PAGE_SIZE
    changes_views.PAGE_SIZE = 2
    try:
        html = get_page(client, "/changes/?type=level")
        assert html.index("Separation 2") < html.index("Separation 1")
        assert "Separation 0" not in html
        older = re.search(r'<a href="([^"]+)" rel="next">Older changes', html).group(1)
        assert "type=level" in older
        next_page = get_page(client, "/changes/" + older.replace("&amp;", "&"))
        assert "Separation 0" in next_page and "Separation 2" not in next_page
        newer = re.search(r'<a href="([^"]+)" rel="prev">Newer changes', next_page).group(1)
        back = get_page(client, "/changes/" + newer.replace("&amp;", "&"))
        assert "Separation 2" in back and "Separation 1" in back
    finally:
        changes_views.PAGE_SIZE = size


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("type=nothing", "type"),
        ("framework=no-such-framework", "framework"),
        ("before=zzz", "before"),
        ("colour=blue", "colour"),
        ("level=%25s%25s", "level"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, query, name):
    refused_page(client, f"/changes/?{query}", name)


def test_query_count_does_not_grow_with_the_history(client, editor, django_assert_max_num_queries):
    make_history(editor, 2)
    # 1 the page of changes (one query over every history table); for each type on it,
    # 1 its records with the record before each (their editors joined) and 1 which of them
    # still exist: levels and the seed's cells, citations...; no more however long the
    # history.
    with django_assert_max_num_queries(1 + 2 * 12):
        get_page(client, "/changes/")
    make_history(editor, 40)
    with django_assert_max_num_queries(1 + 2 * 12):
        get_page(client, "/changes/")
    with django_assert_max_num_queries(3):
        get_page(client, "/changes/?type=level")


def test_the_atom_feed_is_valid_atom_with_the_same_filters(client, edited):
    response = client.get("/changes/feed.atom?framework=eu-ai-office-uk-aisi")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10" and not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Engagement Atlas: changes (framework eu-ai-office-uk-aisi)"
    assert feed.feed.id and feed.feed.updated
    assert any(link.rel == "self" for link in feed.feed.links)
    # Newest first: the edit, then what the seed wrote (at most 50 entries).
    assert len(feed.entries) == 50
    entry = feed.entries[0]
    assert not any(e.title.startswith("Changed: Cell") for e in feed.entries[1:])
    assert entry.title.startswith("Changed: Cell Standards / Separation")
    assert entry.link == f"http://testserver{edited.get_absolute_url()}"
    assert entry.id.startswith("tag:testserver,2025:change/cell/")
    assert entry.updated and entry.author == PUBLIC_NAME
    # Written for a reader without the site's stylesheet: the new text as one run, the old
    # beside it, the changed words marked, no label meant to be hidden.
    assert (
        "<p>Now: Explanatory guidance re. <ins>shared</ins> AI safety standards and "
        "<ins>laws now</ins></p><p>Was: Explanatory guidance re. <del>respective</del> AI "
        "safety standards and <del>policies</del></p>"
    ) in entry.summary
    assert "visually-hidden" not in entry.summary and "removed:" not in entry.summary
    assert "ada.l" not in response.content.decode()
    # The same filters as the page: another framework has no change.
    other = feedparser.parse(
        client.get("/changes/feed.atom?framework=eu-ai-office-us-aisi").content
    )
    assert not other.bozo and other.entries
    assert not any(
        "Standards / Separation (EU AI Office and UK AISI" in e.title for e in other.entries
    )


def test_the_feed_refuses_bad_parameters_naming_them(client):
    response = client.get("/changes/feed.atom?institution=nobody")
    assert response.status_code == 400
    assert response.content.decode().startswith("The export could not be made:\ninstitution: ")


def test_a_deleted_object_in_the_feed_links_to_the_changes_page(client, client_editor):
    client_editor.delete(f"{API}/relationships/uk-aisi-us-aisi-mou/")
    feed = feedparser.parse(client.get("/changes/feed.atom?type=relationship").content)
    entry = feed.entries[0]  # the newest
    assert entry.title.startswith("Deleted: Relationship")
    assert entry.link.startswith(
        "http://testserver/changes/?type=relationship#change-relationship-"
    )


PARTLY = "Text changed after review re. respective AI safety standards and policies"
REWRITE = "Each institute keeps its own incident records, with separate reporting templates"


@pytest.fixture
def rewritten(client_editor) -> Cell:
    """A cell whose first words an editor replaced, then whose text she rewrote whole."""
    cell = brief_cell("standards", "separation")
    for text in (PARTLY, REWRITE):
        response = client_editor.patch(
            f"{API}/cells/{cell.pk}/", {"kind": "analyst", "text": text}, format="json"
        )
        assert response.status_code == 200, response.content
    return cell


def test_changed_words_read_as_runs_and_a_rewrite_as_its_two_versions(client, rewritten):
    html = get_page(client, "/changes/?type=cell")
    change, step = changes(html)[:2]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", change))
    # Most of the text changed: before and after in full, labelled for everyone to see.
    assert f"Before: {PARTLY}" in text
    assert f"After: {REWRITE}" in text
    assert "<del>" not in change and "<ins>" not in change
    # Two words replaced by four: the old run, then the new, not word for word in turns.
    words = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", step)
    assert (
        "<del>Explanatory guidance</del><ins>Text changed after review</ins> re. respective"
        in words
    )


def test_the_feed_shows_changed_words_and_a_rewrite_for_a_reader_without_stylesheet(
    client, rewritten
):
    feed = feedparser.parse(client.get("/changes/feed.atom?type=cell").content)
    rewrite, partly = feed.entries[0].summary, feed.entries[1].summary
    assert f"<p>Now: {REWRITE}</p><p>Was: {PARTLY}</p>" in rewrite
    assert (
        "<p>Now: <ins>Text changed after review</ins> re. respective AI safety standards and "
        "policies</p><p>Was: <del>Explanatory guidance</del> re. respective AI safety "
        "standards and policies</p>"
    ) in partly
    for summary in (rewrite, partly):
        assert "visually-hidden" not in summary and "added:" not in summary
