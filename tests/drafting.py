"""What the tests of drafting a framework from a table share: the seeded brief's Table 1,
and the check that a draft of it is the seeded framework, cell by cell, every citation
valid and quoting exactly its cell's words."""

from __future__ import annotations

from bench.editors import table_text
from engagement.models import Cell, CellEvidence, CellKind, Framework
from sources.models import Citation, CitationRole
from tests.seedtext import BRIEF

SEEDED = "eu-ai-office-uk-aisi"
# Table 1 of the brief (its header row; any of its rows names it).
TABLE_1 = "table-1-header"


def cells_by_position(framework: Framework) -> dict[tuple[str, str], tuple[str, str, str]]:
    """The framework's cells: `{(activity, level): (kind, text, evidence)}`."""
    return {
        (activity, level): (kind, text, evidence)
        for activity, level, kind, text, evidence in Cell.objects.filter(
            framework=framework
        ).values_list("activity__slug", "level__slug", "kind", "text", "evidence")
    }


def source_quotes(framework: Framework) -> dict[tuple[str, str], list[tuple]]:
    """Each cell's source citations: `(passage, exact, prefix, suffix, start, end)`."""
    quotes: dict[tuple[str, str], list[tuple]] = {}
    citations = Citation.objects.filter(
        cell__framework=framework, role=CitationRole.SOURCE
    ).with_passage()
    cells = {
        cell.pk: (cell.activity.slug, cell.level.slug)
        for cell in Cell.objects.filter(framework=framework).select_related("activity", "level")
    }
    for citation in citations:
        assert citation.valid, citation
        quotes.setdefault(cells[citation.object_id], []).append(
            (
                citation.passage.anchor,
                citation.exact,
                citation.prefix,
                citation.suffix,
                citation.start,
                citation.end,
            )
        )
    return quotes


def assert_draft_is_table_1(draft: Framework) -> None:
    """`draft` holds the seeded framework's cells, word for word (58 verbatim, 2 empty),
    each verbatim cell cited once, validly, on exactly its text, as the seed cites it."""
    assert draft.status == "draft" and draft.document.slug == BRIEF
    seeded = Framework.objects.get(slug=SEEDED)
    drafted = cells_by_position(draft)
    assert drafted == cells_by_position(seeded)
    kinds = [kind for kind, _, _ in drafted.values()]
    assert (kinds.count(CellKind.VERBATIM), kinds.count(CellKind.EMPTY)) == (58, 2)
    assert {
        position: evidence for position, (kind, _, evidence) in drafted.items() if kind == "empty"
    } == {
        ("institutional-development", "collaboration"): CellEvidence.NONE_STATED,
        ("institutional-development", "separation"): CellEvidence.NONE_STATED,
    }
    quotes = source_quotes(draft)
    assert set(quotes) == {p for p, (kind, _, _) in drafted.items() if kind == "verbatim"}
    for position, cited in quotes.items():
        assert len(cited) == 1 and cited[0][1] == drafted[position][1], position
    assert quotes == source_quotes(seeded)


def synthetic_table(rows: int, *, columns: int = 6) -> str:
    """A document's text holding a table of `rows` body rows and `columns` columns: the
    activities' column, the four levels, then remarks (no level); a paragraph after it (the
    benchmark drafts the same table)."""
    return table_text(rows, columns=columns)
