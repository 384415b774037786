"""The matrix page's plain-SQL reads (`engagement.grid`) give what the ORM gives."""

from __future__ import annotations

import pytest

from engagement.grid import grid_cells_with_sources, grid_page
from engagement.matrix import grid_cells, link_cells
from engagement.models import Activity, Cell, EngagementLevel, Framework
from tests.factories import CitationFactory, InstitutionFactory

pytestmark = pytest.mark.usefixtures("kb")


def test_the_page_reads_the_framework_its_institutions_levels_and_activities():
    # One more institution, named to come first: the page lists them in name order.
    framework = Framework.objects.get(slug="eu-ai-office-uk-aisi")
    framework.institutions.add(InstitutionFactory(name="Aardvark Agency"))
    page = grid_page("eu-ai-office-uk-aisi")
    assert (page.framework.pk, page.framework.name, page.framework.description) == (
        framework.pk,
        framework.name,
        framework.description,
    )
    assert page.framework.document.title == framework.document.title
    assert page.framework.document.url == framework.document.get_absolute_url()
    assert [(i.slug, i.name, i.url) for i in page.framework.institutions] == [
        (i.slug, i.name, i.get_absolute_url()) for i in framework.institutions.order_by("name")
    ]
    assert [(e.pk, e.slug, e.name, e.url) for e in page.levels] == [
        (x.pk, x.slug, x.name, x.get_absolute_url()) for x in EngagementLevel.objects.all()
    ]
    assert [(e.pk, e.slug, e.name, e.ordinal, e.url) for e in page.activities] == [
        (x.pk, x.slug, x.name, x.ordinal, x.get_absolute_url()) for x in Activity.objects.all()
    ]
    assert grid_page("no-such-framework") is None


@pytest.mark.parametrize("slug", ["eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"])
def test_the_cells_and_their_source_links_are_the_orms(slug):
    page = grid_page(slug)
    # A second source of one cell, and a citation of another role (not a source link).
    cell = Cell.objects.filter(framework_id=page.framework.pk).exclude(kind="empty").first()
    CitationFactory(claim=cell)
    CitationFactory(claim=cell, role="emphasis")
    cells, documents = grid_cells_with_sources(page)
    expected = grid_cells(Cell.objects.filter(framework_id=page.framework.pk).grid_rows())
    levels = {level.pk: level for level in page.levels}
    activities = {activity.pk: activity for activity in page.activities}
    expected_documents = link_cells(
        (c, page.framework, activities[c.activity_id], levels[c.level_id]) for c in expected
    )

    def shown(cells):
        return sorted((c.pk, c.kind, c.text, c.emphasised, c.url, c.source_links) for c in cells)

    assert shown(cells) == shown(expected)
    assert documents == expected_documents
    sources = next(c for c in cells if c.pk == cell.pk).source_links
    assert len(sources) == cell.citations.filter(role="source").count() >= 2


def test_a_filter_keeps_only_its_cells():
    page = grid_page("eu-ai-office-uk-aisi")
    chosen = Cell.objects.filter(framework_id=page.framework.pk, level__slug="coordination")
    cells, _ = grid_cells_with_sources(
        page, only=chosen.values("pk").order_by().query.sql_with_params()
    )
    assert sorted(c.pk for c in cells) == sorted(chosen.values_list("pk", flat=True))
    assert len(cells) == 15
