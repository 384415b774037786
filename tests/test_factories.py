"""The factories make objects as valid as the product's own writes would."""

from __future__ import annotations

import pytest

from tests.factories import (
    CellFactory,
    CitationFactory,
    DocumentFactory,
    FrameworkFactory,
    InstitutionFactory,
    MandateFactory,
    PassageFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


def test_a_document_has_the_passages_of_its_text():
    document = DocumentFactory()
    passages = list(document.passages.order_by("ordinal"))
    assert [p.anchor for p in passages] == ["findings", "findings-p1", "findings-p2"]
    for passage in passages:
        assert document.text[passage.start : passage.end] == passage.text
    document.full_clean()


def test_an_added_passage_stands_in_its_document():
    passage = PassageFactory()
    document = passage.document
    document.refresh_from_db()
    assert document.text[passage.start : passage.end] == passage.text
    assert passage.ordinal == 4
    passage.full_clean()
    document.full_clean()


def test_a_citation_is_valid_and_so_is_part_of_a_passage():
    whole = CitationFactory()
    assert whole.valid and whole.exact == whole.passage.text
    whole.full_clean()
    part = CitationFactory(passage=whole.passage, start=6, end=15, claim=whole.claim)
    assert part.valid and part.exact == whole.passage.text[6:15]
    assert part.prefix == whole.passage.text[:6]
    assert part.suffix == whole.passage.text[15 : 15 + 32]
    assert {c.pk for c in whole.claim.citations.all()} == {whole.pk, part.pk}


def test_institutions_mandates_relationships_cells_and_frameworks():
    tie = RelationshipFactory()
    assert tie.subject != tie.object
    mandate = MandateFactory(institution=tie.subject)
    framework = FrameworkFactory(institutions=[tie.subject, tie.object])
    assert set(framework.institutions.all()) == {tie.subject, tie.object}
    empty = CellFactory(framework=framework, empty=True)
    assert (empty.kind, empty.text) == ("empty", "")
    for made in (tie, mandate, framework, empty, CellFactory(), InstitutionFactory()):
        made.full_clean()
