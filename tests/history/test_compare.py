"""`/releases/compare/?a=&b=`: what was added, changed and removed between two releases, or
a release and today, as a page and as CSV; exactly the edits, nothing else."""

from __future__ import annotations

import pytest
from django.db import transaction

from atlas.releases import release_create
from engagement.models import Cell, EngagementLevel, Framework
from institutions.models import Mandate, Relationship
from tests.helpers import get_page, read_csv

pytestmark = pytest.mark.usefixtures("kb")
MATRIX = "eu-ai-office-uk-aisi"


@pytest.fixture
def edits(release, editor):
    """After release v1.0, in one transaction: a cell rewritten, one added, one removed
    (with its citations), a level's conditions, a mandate's status, and a relationship
    removed (with its citations)."""
    with transaction.atomic():
        changed = Cell.objects.get(
            framework__slug=MATRIX, activity__slug="standards", level__slug="separation"
        )
        changed.kind, changed.text = (
            "analyst",
            "Explanatory guidance re. shared AI safety standards",
        )
        changed.save()
        us = Framework.objects.get(slug="eu-ai-office-us-aisi")
        removed = Cell.objects.get(
            framework=us, activity__slug="standards", level__slug="collaboration"
        )
        removed.citations.all().delete()
        removed.delete()
        Cell.objects.create(
            framework=us,
            activity=removed.activity,
            level=EngagementLevel.objects.get(slug="coordination"),
            kind="analyst",
            text="A cell added after the release",
        )
        level = EngagementLevel.objects.get(slug="coordination")
        level.conditions += " And one more condition."
        level.save()
        mandate = Mandate.objects.get(
            institution__slug="uk-aisi", function__slug="evaluating-capabilities"
        )
        mandate.status = "partial" if mandate.status != "partial" else "no"
        mandate.save()
        relationship = Relationship.objects.get(slug="uk-aisi-us-aisi-mou")
        relationship.citations.all().delete()
        relationship.delete()


def test_the_comparison_lists_exactly_the_edits(client, edits):
    rows = read_csv(client.get("/releases/compare/export.csv?a=v1.0&b=current"))
    summary = sorted((row["kind"], row["change"]) for row in rows)
    assert summary == [
        ("cell", "added"),
        ("cell", "changed"),
        ("cell", "removed"),
        ("level", "changed"),
        ("mandate", "changed"),
        ("relationship", "removed"),
    ]
    cell = next(r for r in rows if r["kind"] == "cell" and r["change"] == "changed")
    assert cell["group"] == "Framework: EU AI Office and UK AISI (policy brief, March 2025)"
    assert cell["what"] == "Standards / Separation"
    assert cell["a"].startswith("verbatim\nExplanatory guidance re. respective")
    level = next(r for r in rows if r["kind"] == "level")
    assert level["fields"] == "conditions" and level["b"].endswith("And one more condition.")

    html = get_page(client, "/releases/compare/?a=v1.0&b=current")
    assert 'From release <a href="/releases/v1.0/">v1.0</a> to today:' in html
    assert 're. <del><span class="visually-hidden">removed: </span>respective</del>' in html
    assert '<h2 id="group-1">Levels</h2>' in html


def test_two_releases_compared_and_the_same_release_has_no_difference(client, edits):
    release_create(tag="v2.0")
    rows = read_csv(client.get("/releases/compare/export.csv?a=v1.0&b=v2.0"))
    assert rows == read_csv(client.get("/releases/compare/export.csv?a=v1.0&b=current"))
    assert read_csv(client.get("/releases/compare/export.csv?a=v2.0&b=current")) == []
    html = get_page(client, "/releases/compare/?a=v2.0&b=v2.0")
    assert "0 added, 0 changed, 0 removed" in html and "Nothing was added" in html


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["a", "b"]),
        ("a=v1.0", ["b"]),
        ("a=v9&b=current", ["a"]),
        ("a=v1.0&b=nope", ["b"]),
        ("a=current&b=v1.0", ["a"]),
        ("a=%25s&b=v1.0", ["a"]),
        ("a=v1.0&b=current&c=1", ["c"]),
    ],
)
def test_a_bad_or_missing_tag_is_a_400_naming_it(client, release, query, names):
    html = get_page(client, f"/releases/compare/?{query}", status=400)
    for name in names:
        assert f"Parameter <code>{name}</code>" in html
    response = client.get(f"/releases/compare/export.csv?{query}")
    assert response.status_code == 400
    assert (
        sorted(line.split(":")[0] for line in response.content.decode().splitlines()[1:]) == names
    )


def test_the_comparison_takes_a_fixed_number_of_queries(
    client, edits, django_assert_max_num_queries
):
    # 1 the releases of the pickers, 1 release a; then each state's frameworks,
    # activities, levels, cells, levels' texts, institutions, functions, mandates and
    # relationships, once for each side.
    with django_assert_max_num_queries(2 + 2 * 9):
        get_page(client, "/releases/compare/?a=v1.0&b=current")


def test_the_comparison_shows_words_and_rewrites_as_the_changes_page_does(client, release):
    """The same rendering as `/changes/` (core.textdiff): replaced words as one run, then
    the new one; a text that mostly changed, before and after in full."""
    cells = Cell.objects.filter(framework__slug=MATRIX, level__slug="separation")
    partly, whole = (
        cells.get(activity__slug="standards"),
        cells.exclude(text="").exclude(activity__slug="standards").order_by("pk")[0],
    )
    old_whole = whole.text
    with transaction.atomic():
        partly.kind, partly.text = (
            "analyst",
            "Text changed after review re. respective AI safety standards and policies",
        )
        partly.save()
        whole.kind, whole.text = "analyst", "Nothing of the sort is planned by either side"
        whole.save()
    html = get_page(client, "/releases/compare/?a=v1.0&b=current")
    words = html.replace('<span class="visually-hidden">removed: </span>', "").replace(
        '<span class="visually-hidden">added: </span>', ""
    )
    assert "<del>Explanatory guidance</del><ins>Text changed after review</ins> re." in words
    assert (
        '<span class="diff-side diff-before"><span class="diff-label">Before:</span> '
        f"{old_whole}</span>"
        '<span class="diff-side diff-after"><span class="diff-label">After:</span> '
        "Nothing of the sort is planned by either side</span>"
    ) in html
