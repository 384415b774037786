"""Institutions, functions, mandates and relationships against the source texts."""

from __future__ import annotations

import pytest

from institutions.models import Function, Institution, Mandate, MandateStatus, Relationship
from tests.seedtext import ARTICLE, functions_rows, shown_text

pytestmark = pytest.mark.usefixtures("kb")


def test_the_named_institutions_exist_each_cited():
    expected = {
        "eu-ai-office",
        "uk-aisi",
        "us-aisi",
        "european-commission",
        "japan-aisi",
        "singapore-aisi",
        "france-aisi",
        "china-aisi",
        "india-aisi",
        "chile-aisi",
        "aisi-network",
        "cen-cenelec-jtc-21",
        "eu-us-ttc",
    }
    assert set(Institution.objects.values_list("slug", flat=True)) == expected
    for institution in Institution.objects.prefetch_related("citations__passage"):
        assert institution.citations.all(), institution.slug
        assert all(c.valid for c in institution.citations.all())


def test_the_uk_body_keeps_its_former_name_as_a_cited_alias():
    uk = Institution.objects.get(slug="uk-aisi")
    assert uk.name == "UK AI Security Institute"
    former = uk.aliases.get(name="AI Safety Institute")
    assert former.is_former
    citation = former.citations.get()
    assert "re-naming" in citation.exact
    assert citation.valid


def test_the_eu_ai_office_sits_under_the_commission():
    assert Institution.objects.get(slug="eu-ai-office").parent.slug == "european-commission"


def test_six_functions_with_each_status_in_the_tables_own_words():
    rows = functions_rows()
    assert list(Function.objects.order_by("ordinal").values_list("name", flat=True)) == [
        r[0] for r in rows
    ]
    for label, uk_words, eu_words in rows:
        for slug, words in (("uk-aisi", uk_words), ("eu-ai-office", eu_words)):
            mandate = Mandate.objects.get(function__name=label, institution__slug=slug)
            assert mandate.statement == words
            citation = mandate.citations.get()
            assert citation.exact == words
            assert citation.valid
            # UK AISI is the table's first column, the EU AI Office its second.
            column = 1 if slug == "uk-aisi" else 2
            assert citation.passage.text[: citation.start].count("\t") == column


@pytest.mark.parametrize(
    ("words", "status"),
    [
        ("No", MandateStatus.NO),
        ("Yes", MandateStatus.YES),
        ("Yes (demonstrated)", MandateStatus.YES),
        ("Focus on most advanced current capabilities", MandateStatus.PARTIAL),
    ],
)
def test_status_classifies_the_words(words, status):
    assert {m.status for m in Mandate.objects.filter(statement=words)} == {status}


def test_relationships_are_cited_and_cover_the_reported_ties():
    kinds = set(Relationship.objects.values_list("subject__slug", "kind", "object__slug"))
    assert ("uk-aisi", "joint_evaluation", "us-aisi") in kinds
    assert ("uk-aisi", "mou", "us-aisi") in kinds
    assert ("eu-ai-office", "technical_dialogue", "us-aisi") in kinds
    assert ("eu-ai-office", "collaboration", "us-aisi") in kinds
    assert ("uk-aisi", "membership", "aisi-network") in kinds
    for relationship in Relationship.objects.prefetch_related("citations__passage__document"):
        assert relationship.citations.all(), relationship.slug
        for citation in relationship.citations.all():
            assert citation.valid
            assert " ".join(citation.exact.split()) in shown_text(citation.passage.document.slug)
    ttc = Relationship.objects.get(slug="eu-ai-office-us-aisi-ttc-evaluation-tools")
    assert str(ttc.date) == "2024-04-08"
    assert ttc.citations.get().passage.document.slug == ARTICLE
