"""Every seeded fact is cited; every citation is valid; verify_citations says when not."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from engagement.models import Activity, Cell, CellKind, EngagementLevel
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship
from sources.models import Citation, Passage
from sources.quotes import CONTEXT_CHARS
from sources.services import citation_attach
from tests.seedtext import ARTICLE, BRIEF, shown_text

pytestmark = pytest.mark.usefixtures("kb")

FACTS = [Activity, EngagementLevel, Institution, InstitutionAlias, Function, Mandate, Relationship]


@pytest.mark.parametrize("model", FACTS, ids=lambda m: m.__name__)
def test_every_seeded_fact_has_a_citation(model):
    cited = set(
        Citation.objects.filter(content_type=ContentType.objects.get_for_model(model)).values_list(
            "object_id", flat=True
        )
    )
    assert cited >= set(model.objects.values_list("pk", flat=True))


def test_every_non_empty_cell_has_a_citation():
    cited = set(
        Citation.objects.filter(content_type=ContentType.objects.get_for_model(Cell)).values_list(
            "object_id", flat=True
        )
    )
    assert set(Cell.objects.exclude(kind=CellKind.EMPTY).values_list("pk", flat=True)) <= cited


def test_every_citation_is_valid_with_its_context():
    """Each quote stands at its offsets in the passage as the reader shows it, and its
    selector, prefix and suffix reaching into the neighbouring passages, is found in the
    source text as a reader sees it (read independently of the project's rendering)."""
    citations = list(Citation.objects.with_passage())
    assert len(citations) == 164
    shown = {slug: shown_text(slug) for slug in (BRIEF, ARTICLE)}
    for citation in citations:
        assert citation.valid, citation.pk
        assert citation.passage.shown[citation.start : citation.end] == citation.exact
        assert "**" not in citation.exact and "](#)" not in citation.exact
        # Full context on both sides: no quote starts or ends its document.
        assert len(citation.prefix) == len(citation.suffix) == CONTEXT_CHARS, citation.pk
        selector = " ".join((citation.prefix + citation.exact + citation.suffix).split())
        assert selector in shown[citation.passage.document.slug], citation.pk


def test_verify_citations_passes_on_the_seeded_data(capsys):
    call_command("verify_citations")
    assert "citations are valid" in capsys.readouterr().out


def test_verify_citations_names_a_corrupted_citation(capsys):
    citation = Citation.objects.filter(exact="Develop common AI incident reporting registry").get()
    # Same length, shifted by one character: the database constraints still hold.
    Citation.objects.filter(pk=citation.pk).update(start=citation.start + 1, end=citation.end + 1)
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_citations")
    out = capsys.readouterr().out
    assert f"citation {citation.pk} " in out
    assert "table-1-incident-reporting" in out
    assert "Develop common AI incident reporting registry" in out


def test_verify_citations_lists_orphaned_citations(capsys):
    citation = Citation.objects.first()
    Citation.objects.filter(pk=citation.pk).update(orphaned=True)
    with pytest.raises(CommandError):
        call_command("verify_citations")
    assert "marked orphaned" in capsys.readouterr().out


def test_a_quote_not_in_the_passage_is_refused():
    passage = Passage.objects.get(anchor="footnote-2")
    level = EngagementLevel.objects.get(slug="separation")
    with pytest.raises(ValidationError, match="not found in passage"):
        citation_attach(claim=level, passage=passage, exact="Separation means never talking")


def test_the_database_refuses_offsets_that_do_not_fit_the_quote():
    citation = Citation.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.filter(pk=citation.pk).update(end=citation.end + 5)
