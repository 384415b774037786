"""The seeded matrix against the source text itself."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework
from sources.models import CitationRole
from tests.helpers import brief_cell
from tests.seedtext import BRIEF, LEVELS, footnote_2, source_text, table_1_rows

pytestmark = pytest.mark.usefixtures("kb")


def brief_cells() -> dict[tuple[str, str], Cell]:
    cells = Cell.objects.for_list().filter(framework__slug="eu-ai-office-uk-aisi")
    return {(cell.activity.slug, cell.level.slug): cell for cell in cells}


def test_levels_in_order_with_the_definitions_of_footnote_2():
    levels = list(EngagementLevel.objects.order_by("ordinal"))
    assert [level.slug for level in levels] == LEVELS
    footnote = footnote_2()
    for level in levels:
        assert level.definition in footnote
        definition = [c for c in level.citations.all() if c.role == CitationRole.DEFINITION]
        assert [c.exact for c in definition] == [level.definition]
        assert definition[0].passage.anchor == "footnote-2"


def test_level_conditions_are_the_cited_words_of_the_brief():
    for level in EngagementLevel.objects.all():
        cited = [
            c
            for c in level.citations.order_by("passage__ordinal")
            if c.role == CitationRole.CONDITIONS
        ]
        assert cited, level.slug
        assert level.conditions.startswith(cited[0].exact[:40])
        for citation in cited:
            assert citation.exact in source_text(BRIEF)
        # The stored text is the cited quotes, joined as the brief lays them out.
        joined_by_space = " ".join(c.exact for c in cited)
        joined_by_paragraph = "\n\n".join(c.exact for c in cited)
        assert level.conditions in (joined_by_space, joined_by_paragraph)
    coordination = EngagementLevel.objects.get(slug="coordination")
    assert "national security risks are low" in coordination.conditions


def test_fifteen_activities_in_the_briefs_order():
    rows = table_1_rows()
    assert len(rows) == 15
    assert list(Activity.objects.order_by("ordinal").values_list("name", flat=True)) == [
        r[0] for r in rows
    ]
    assert list(Activity.objects.order_by("ordinal").values_list("slug", flat=True)) == [
        slugify(r[0]) for r in rows
    ]
    assert Activity.objects.filter(slug="affirmative-assurance-approaches").exists()


def test_all_sixty_cells_match_table_1_verbatim():
    cells = brief_cells()
    assert len(cells) == 60
    for row in table_1_rows():
        activity = slugify(row[0])
        for level, text in zip(LEVELS, row[1:], strict=True):
            cell = cells[(activity, level)]
            if text.strip():
                assert cell.kind == CellKind.VERBATIM
                assert cell.text == text
            else:
                assert cell.kind == CellKind.EMPTY
                assert cell.text == ""


def test_only_institutional_development_has_empty_cells():
    empty = Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi", kind=CellKind.EMPTY)
    assert sorted(empty.values_list("activity__slug", "level__slug")) == [
        ("institutional-development", "collaboration"),
        ("institutional-development", "separation"),
    ]
    assert (
        Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi", kind=CellKind.VERBATIM).count()
        == 58
    )


def test_the_sources_typos_are_kept():
    cells = brief_cells()
    assert (
        cells[("conduct-evaluations", "collaboration")].text
        == "Executive joint post-deployment evaluations"
    )
    assert cells[("incident-reporting", "coordination")].text == (
        "Align “incident” definitions” and create interoperable reporting standards"
    )


def test_every_verbatim_cell_cites_its_own_column_of_its_table_row():
    for (activity, level), cell in brief_cells().items():
        sources = [c for c in cell.citations.all() if c.role == CitationRole.SOURCE]
        if cell.kind == CellKind.EMPTY:
            assert sources == []
            continue
        assert len(sources) == 1
        citation = sources[0]
        assert citation.passage.anchor == f"table-1-{activity}"
        assert citation.exact == cell.text
        assert citation.valid
        # The quote starts right after the tab that opens this level's column.
        before = citation.passage.text[: citation.start]
        assert before.count("\t") == LEVELS.index(level) + 1
        assert before.endswith("\t")


EMPHASISED = {
    ("standards", "collaboration"),
    ("international-engagement", "collaboration"),
    ("conduct-evaluations", "collaboration"),
    ("building-research-talent-pool", "collaboration"),
    ("develop-evaluations", "coordination"),
    ("conduct-evaluations", "coordination"),
    ("interpret-evaluations", "coordination"),
    ("risk-monitoring", "communication"),
    ("incident-reporting", "communication"),
    ("conduct-evaluations", "separation"),
    ("risk-thresholds", "separation"),
    ("international-engagement", "separation"),
}


def test_emphasised_cells_are_those_the_narrative_singles_out_each_cited():
    cells = brief_cells()
    assert {key for key, cell in cells.items() if cell.emphasised} == EMPHASISED
    narrative = {
        "executive-summary",
        "1-collaboration",
        "2-coordination",
        "3-communication",
        "4-separation",
    }
    for key in EMPHASISED:
        emphasis = [c for c in cells[key].citations.all() if c.role == CitationRole.EMPHASIS]
        assert emphasis, key
        for citation in emphasis:
            assert citation.valid
            assert citation.passage.anchor.rsplit("-p", 1)[0] in narrative
    # The activity and level named in the quote are those of the cell.
    standards = cells[("standards", "collaboration")]
    assert any(
        "collaborat" in c.exact and "standards" in c.exact
        for c in standards.citations.all()
        if c.role == CitationRole.EMPHASIS
    )


def test_the_news_article_framework_holds_cited_analyst_cells():
    framework = Framework.objects.get(slug="eu-ai-office-us-aisi")
    assert sorted(framework.institutions.values_list("slug", flat=True)) == [
        "eu-ai-office",
        "us-aisi",
    ]
    cells = list(Cell.objects.for_list().filter(framework=framework))
    assert cells
    for cell in cells:
        assert cell.kind == CellKind.ANALYST
        assert cell.citations.all()
        for citation in cell.citations.all():
            assert citation.passage.document.slug == "eu-us-ttc-ai-collaboration-2024"
            assert citation.valid
    develop = next(c for c in cells if c.activity.slug == "develop-evaluations")
    assert (
        "develop tools for evaluating artificial intelligence (AI) models"
        in develop.citations.all()[0].exact
    )


def test_the_database_refuses_a_second_cell_at_the_same_position():
    cell = Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Cell.objects.create(
            framework=cell.framework,
            activity=cell.activity,
            level=cell.level,
            kind=CellKind.ANALYST,
            text="again",
        )


def test_the_database_refuses_an_empty_cell_with_text():
    cell = brief_cell("institutional-development", "separation")
    with pytest.raises(IntegrityError), transaction.atomic():
        Cell.objects.filter(pk=cell.pk).update(text="invented")


def test_the_database_refuses_a_duplicate_level_ordinal():
    with pytest.raises(IntegrityError), transaction.atomic():
        EngagementLevel.objects.create(
            slug="merger", name="Merger", ordinal=1, definition="x", conditions="x"
        )
