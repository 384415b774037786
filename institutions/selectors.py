"""Reads that the institutions' pages, their exports and the API share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404

from core.history import State, objects_of
from core.links import linker
from core.paging import Page, filtered, paginate
from institutions.filters import InstitutionFilter
from institutions.models import (
    Function,
    Institution,
    InstitutionAlias,
    InstitutionKind,
    Mandate,
    Relationship,
)
from sources.models import CitationLink, cite_links


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


# What an institution's page shows, loaded as it stood at a release (`core.history.State`).
DETAIL_AT_RELEASE = (
    "parent",
    "children",
    "aliases__citations__passage__document",
    "mandates__function",
    "mandates__citations__passage__document",
    "citations__passage__document",
    "frameworks",
)


def _cited_at_release(*claims) -> None:
    """Give each of `claims` (read at a release, their citations loaded with them) its
    citations as the page links them (`cited`, as `sources.models.cite_links` gives)."""
    for claim in claims:
        claim.cited = [
            CitationLink(
                citation.passage.anchor,
                citation.get_absolute_url(),
                citation.role,
                citation.passage.document_id,
                citation.passage.document.title,
                citation.passage.section,
                citation.passage.source_pages,
            )
            for citation in claim.citations.all()
        ]


def institution_for_page(slug: str, *, state: State | None = None) -> Institution:
    """The institution `slug` with its parent and how many frameworks and units it has
    (`framework_count`, `unit_count`); at a release, with all it shows as it stood then; a
    404 where there is none (or was none in `state`)."""
    if state is None:
        queryset = Institution.objects.select_related("parent").annotate(
            framework_count=Count("frameworks", distinct=True),
            unit_count=Count("children", distinct=True),
        )
        return get_object_or_404(queryset, slug=slug)
    institution = get_object_or_404(
        state.objects(Institution).prefetch_state(*DETAIL_AT_RELEASE), slug=slug
    )
    institution.framework_count = len(institution.frameworks.all())
    institution.unit_count = len(institution.children.all())
    return institution


def relationships_of(institution: Institution, *, state: State | None = None):
    """The institution's ties, either side, by date: a queryset to page now; at a release,
    as they stood, with both parties and their citations."""
    if state is None:
        return (
            Relationship.objects.select_related("subject", "object")
            .involving(institution)
            .order_by("date", "slug")
        )
    return list(
        state.objects(Relationship)
        .filter(Q(subject_id=institution.pk) | Q(object_id=institution.pk))
        .order_by("date", "slug")
        .prefetch_state("subject", "object", "citations__passage__document")
    )


@dataclass(frozen=True)
class InstitutionParts:
    """What an institution's page shows besides its ties, every claim's citations linked
    (`cited` on each); and the ids of the documents those quote (none at a release)."""

    aliases: list[InstitutionAlias]
    mandates: list[Mandate]
    frameworks: list
    units: list[Institution]
    cited: set[int]


def institution_parts(
    institution: Institution, relationships: list, *, first_few: int, state: State | None = None
) -> InstitutionParts:
    """The institution's names, functions in order, and first few frameworks and units, the
    citations of those and of `relationships` linked (in one query now)."""
    aliases = list(institution.aliases.all())
    if state is None:
        mandates = list(
            institution.mandates.select_related("function").order_by("function__ordinal")
        )
        cited = cite_links(institution, *aliases, *mandates, *relationships)
        frameworks = list(institution.frameworks.all()[:first_few])
        units = list(institution.children.order_by("name")[:first_few])
    else:
        mandates = sorted(institution.mandates.all(), key=lambda m: m.function.ordinal)
        _cited_at_release(institution, *aliases, *mandates, *relationships)
        cited = set()
        frameworks = list(institution.frameworks.all())[:first_few]
        units = sorted(institution.children.all(), key=lambda unit: unit.name)[:first_few]
    return InstitutionParts(aliases, mandates, frameworks, units, cited)


def institution_rows(params: QueryDict, *, per_page: int, path: str) -> tuple[Page, list]:
    """The institutions index's page, filtered (name, kind, jurisdiction, parent), its items
    values rows with their URLs (`core.links.linker`), kind's label and names (one more
    query of values), no model instance per institution; and the jurisdictions to choose."""
    filterset = filtered(InstitutionFilter, params, Institution.objects.order_by("name"))
    rows = filterset.qs.values(
        "pk",
        "slug",
        "name",
        "short_name",
        "jurisdiction",
        "kind",
        "parent_id",
        "parent__slug",
        "parent__name",
    )
    page = paginate(rows, params, per_page=per_page, path=path)
    url = linker("institutions:institution-detail", "slug")
    kinds = dict(InstitutionKind.choices)
    aliases: dict[int, list[dict]] = {}
    for alias in (
        InstitutionAlias.objects.filter(institution_id__in=[row["pk"] for row in page.items])
        .order_by("institution_id", "name", "pk")
        .values("institution_id", "name", "is_former")
    ):
        aliases.setdefault(alias["institution_id"], []).append(alias)
    for row in page.items:
        row["url"] = url(slug=row["slug"])
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
        row["parent_url"] = url(slug=row["parent__slug"]) if row["parent_id"] else ""
        row["aliases"] = aliases.get(row["pk"], [])
    return page, filterset.form.fields["jurisdiction"].choices
