"""CellFilter, as the pages, the API and the exports use it."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from engagement.filters import CellFilter
from engagement.models import Cell

pytestmark = pytest.mark.usefixtures("kb")


def filtered(query: str):
    filterset = CellFilter(QueryDict(query), queryset=Cell.objects.for_list())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def test_one_level_leaves_its_column():
    cells = filtered("framework=eu-ai-office-uk-aisi&level=coordination")
    assert len(cells) == 15
    assert {c.level.slug for c in cells} == {"coordination"}


@pytest.mark.parametrize(
    "query", ["level=coordination,separation", "level=coordination&level=separation"]
)
def test_several_levels_comma_separated_or_repeated(query):
    cells = filtered(f"framework=eu-ai-office-uk-aisi&{query}")
    assert {c.level.slug for c in cells} == {"coordination", "separation"}
    assert len(cells) == 30


def test_activity_institution_kind_and_emphasised_combine():
    cells = filtered("institution=uk-aisi&activity=institutional-development&kind=empty")
    assert sorted(c.level.slug for c in cells) == ["collaboration", "separation"]
    emphasised = filtered("framework=eu-ai-office-uk-aisi&emphasised=true&level=communication")
    assert sorted(c.activity.slug for c in emphasised) == ["incident-reporting", "risk-monitoring"]


def test_institution_reaches_every_framework_it_belongs_to():
    frameworks = {c.framework.slug for c in filtered("institution=eu-ai-office")}
    assert frameworks == {"eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=cooperation", "level"),
        ("activity=nothing", "activity"),
        ("kind=guess", "kind"),
        ("emphasised=maybe", "emphasised"),
        ("framework=nope", "framework"),
        ("institution=x", "institution"),
    ],
)
def test_a_value_that_names_nothing_is_an_error_naming_the_field(query, field):
    filterset = CellFilter(QueryDict(query), queryset=Cell.objects.all())
    assert not filterset.is_valid()
    assert field in filterset.errors


@pytest.mark.parametrize(
    "text", ["evaluation", "incident registry", '"incident reporting"', "standards -safety", "or"]
)
def test_a_keyword_finds_the_same_cells_whether_or_not_the_search_starts_from_them(text):
    """On SQLite a narrowed filter (one framework's cells) probes each cell, rather than
    finding every match first; the cells found are the same."""
    from engagement.filters import cells_matching

    cells = Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi")
    everywhere = set(cells_matching(cells, text).values_list("pk", flat=True))
    narrowed = set(cells_matching(cells, text, narrowed=True).values_list("pk", flat=True))
    assert narrowed == everywhere
