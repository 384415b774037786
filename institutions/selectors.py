"""Reads that the institutions' pages, their exports and the API share."""

from __future__ import annotations

from dataclasses import dataclass

from core.history import State, objects_of
from institutions.models import Function, Institution, Mandate


@dataclass(frozen=True)
class ComparedFunction:
    """One function of the table with each institution's mandate (None where the source is
    silent)."""

    function: Function
    a: Mandate | None
    b: Mandate | None

    @property
    def differ(self) -> bool:
        return (self.a.status if self.a else None) != (self.b.status if self.b else None)


@dataclass(frozen=True)
class InstitutionComparison:
    a: Institution
    b: Institution
    rows: list[ComparedFunction]

    @property
    def differences(self) -> int:
        return sum(row.differ for row in self.rows)


def institution_comparison(
    a: Institution, b: Institution, *, state: State | None = None
) -> InstitutionComparison:
    """Every function, in order, with the mandates of `a` and `b` and their citations, now
    or as they stood in `state` (three queries: functions, mandates, citations; more at a
    release, whose relations are loaded apart)."""
    if state is None:
        found = Mandate.objects.for_comparison([a, b])
    else:
        found = (
            state.objects(Mandate)
            .filter(institution_id__in=[a.pk, b.pk])
            .prefetch_state("function", "institution", "citations__passage__document")
        )
    mandates = {(mandate.institution_id, mandate.function_id): mandate for mandate in found}
    rows = [
        ComparedFunction(
            function, mandates.get((a.pk, function.pk)), mandates.get((b.pk, function.pk))
        )
        for function in objects_of(Function, state).order_by("ordinal")
    ]
    return InstitutionComparison(a, b, rows)
