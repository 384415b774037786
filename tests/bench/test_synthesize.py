"""`manage.py synthesize`: N-fold copies of the seeded knowledge base, valid and reproducible."""

from __future__ import annotations

import random
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Q

from bench.synthesis import shuffle_words, word_span
from engagement.models import Cell, Framework
from institutions.models import Institution
from sources.models import Citation, Document, Passage
from tests.editorial.test_seed_command import snapshot

pytestmark = pytest.mark.usefixtures("kb")

SYNTH = "synth-"


def counts(*, synthetic: bool) -> dict[str, int]:
    """Rows of each kind in the synthetic copies, or (`synthetic=False`) in the rest."""

    def count(queryset, slug_field: str) -> int:
        copied = Q(**{f"{slug_field}__startswith": SYNTH})
        return queryset.filter(copied if synthetic else ~copied).count()

    cell, institution = ContentType.objects.get_for_models(Cell, Institution).values()
    # The copies carry the citations of cells and institutions, the claims they copy.
    citations = Citation.objects.filter(content_type__in=[cell, institution])
    return {
        "documents": count(Document.objects, "slug"),
        "passages": count(Passage.objects, "document__slug"),
        "institutions": count(Institution.objects, "slug"),
        "frameworks": count(Framework.objects, "slug"),
        "cells": count(Cell.objects, "framework__slug"),
        "citations": count(Citation.objects if synthetic else citations, "passage__document__slug"),
    }


def seeded_counts() -> dict[str, int]:
    return counts(synthetic=False)


def synthetic_counts() -> dict[str, int]:
    return counts(synthetic=True)


def content() -> list[tuple]:
    """The synthetic rows as values, without primary keys or timestamps."""
    rows: list[tuple] = []
    for d in Document.objects.filter(slug__startswith=SYNTH).order_by("slug"):
        rows.append(("document", d.slug, d.title, d.kind, d.format, d.text, d.sha256))
    for p in Passage.objects.filter(document__slug__startswith=SYNTH).order_by(
        "document__slug", "ordinal"
    ):
        rows.append(("passage", p.document.slug, p.ordinal, p.anchor, p.start, p.end, p.text))
    for i in Institution.objects.filter(slug__startswith=SYNTH).order_by("slug"):
        rows.append(("institution", i.slug, i.name, i.parent and i.parent.slug))
    for f in Framework.objects.filter(slug__startswith=SYNTH).order_by("slug"):
        institutions = sorted(f.institutions.values_list("slug", flat=True))
        rows.append(("framework", f.slug, f.name, f.document.slug, institutions))
    for c in Cell.objects.filter(framework__slug__startswith=SYNTH).order_by(
        "framework__slug", "activity__ordinal", "level__ordinal"
    ):
        rows.append(("cell", str(c), c.kind, c.text, c.emphasised))
    for c in Citation.objects.filter(passage__document__slug__startswith=SYNTH):
        rows.append(
            (
                "citation",
                str(c.claim),
                c.role,
                str(c.passage),
                c.exact,
                c.prefix,
                c.suffix,
                c.start,
                c.end,
            )
        )
    return sorted(rows, key=repr)


def test_scale_2_adds_one_copy_of_the_seeded_knowledge_base():
    expected = seeded_counts()
    call_command("synthesize", "--scale", "2")
    assert synthetic_counts() == expected
    assert seeded_counts() == expected
    assert expected["passages"] > 90 and expected["cells"] > 60


def test_scale_3_adds_two_copies_and_replaces_earlier_ones():
    expected = seeded_counts()
    call_command("synthesize", "--scale", "2")
    call_command("synthesize", "--scale", "3")
    assert synthetic_counts() == {label: 2 * count for label, count in expected.items()}


def test_every_synthetic_citation_is_valid(capsys):
    call_command("synthesize", "--scale", "3")
    call_command("verify_citations")
    assert "citations are valid" in capsys.readouterr().out
    citations = Citation.objects.filter(passage__document__slug__startswith=SYNTH)
    assert citations.exists()
    assert all(c.valid and c.end == c.start + len(c.exact) for c in citations.with_passage())


def test_synthetic_passages_stand_at_their_offsets_and_cells_quote_them():
    call_command("synthesize", "--scale", "2")
    for passage in Passage.objects.filter(document__slug__startswith=SYNTH).select_related(
        "document"
    ):
        assert passage.document.text[passage.start : passage.end] == passage.text
    cell_type = ContentType.objects.get_for_model(Cell)
    for cell in Cell.objects.filter(framework__slug__startswith=SYNTH).exclude(kind="empty"):
        quotes = Citation.objects.filter(content_type=cell_type, object_id=cell.pk, role="source")
        assert cell.text in {c.exact for c in quotes}
    # Every synthetic matrix is 15 x 4 at most, one cell per position, like the seeded ones.
    shapes = {
        f.slug: (f.cells.values("activity").distinct().count(), f.cells.count())
        for f in Framework.objects.filter(slug__startswith=SYNTH)
    }
    assert shapes == {
        "synth-0001-eu-ai-office-uk-aisi": (15, 60),
        "synth-0001-eu-ai-office-us-aisi": (
            Framework.objects.get(slug="eu-ai-office-us-aisi")
            .cells.values("activity")
            .distinct()
            .count(),
            Framework.objects.get(slug="eu-ai-office-us-aisi").cells.count(),
        ),
    }


def test_the_same_seed_gives_the_same_content_and_another_seed_does_not():
    call_command("synthesize", "--scale", "2", "--seed", "7")
    first = content()
    call_command("synthesize", "--scale", "2", "--seed", "7")
    assert content() == first
    call_command("synthesize", "--scale", "2", "--seed", "8")
    assert content() != first


def test_clear_removes_exactly_the_synthetic_rows():
    before = snapshot()
    call_command("synthesize", "--scale", "3")
    call_command("synthesize", "--clear")
    assert set(synthetic_counts().values()) == {0}
    assert snapshot() == before


@pytest.mark.parametrize("scale", ["0", "1"])
def test_scale_0_or_1_is_the_seeded_knowledge_base_alone(scale):
    before = snapshot()
    call_command("synthesize", "--scale", "2")
    call_command("synthesize", "--scale", scale)
    assert set(synthetic_counts().values()) == {0}
    assert snapshot() == before


@pytest.mark.parametrize("args", [[], ["--scale", "2", "--clear"], ["--scale", "-1"]])
def test_bad_arguments_are_refused_and_nothing_is_written(args):
    with pytest.raises(CommandError):
        call_command("synthesize", *args)
    assert set(synthetic_counts().values()) == {0}


def test_shuffled_words_keep_whitespace_and_length():
    text = "Develop Evaluations\tDesign and develop\tjoint  post-deployment evaluations"
    shuffled = shuffle_words(text, random.Random(1))
    assert len(shuffled) == len(text)
    assert sorted(shuffled.split()) == sorted(text.split())
    assert re.split(r"\S+", shuffled) == re.split(r"\S+", text)


def test_word_span_widens_to_whole_words():
    text = "joint post-deployment evaluations"
    assert word_span(text, 8, 12) == (6, 21)
    assert word_span(text, 5, 6) == (0, 21)
    assert word_span(text, 0, 1) == (0, 5)
    assert text[slice(*word_span(text, 0, 33))] == text
