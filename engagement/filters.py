"""One FilterSet per resource, shared by the pages, the API and the exports."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from core import registry
from core.filtering import (
    ChoiceMultipleFilter,
    NameFilterSet,
    SlugMultipleFilter,
    StaticFormFilterSet,
    StrictBooleanFilter,
)
from core.history import m2m_history_model, records_at, state_of
from engagement.models import (
    Activity,
    Cell,
    CellEvidence,
    CellKind,
    EngagementLevel,
    Framework,
)
from institutions.models import Institution
from sources.models import Document

# At a release, the keyword filter cannot be answered: the search index is of today's text.
KEYWORD_AT_RELEASE = (
    "Keyword search covers the current knowledge base only; leave out q or release."
)
# The longest query the search takes (`search.query.MAX_QUERY_LENGTH`); a longer keyword is
# bad input, a 400 naming it.
KEYWORD_MAX_LENGTH = 200
# A keyword the search finds nothing to look for in is an answer (no cell), not bad input:
# the page says why, with the other filters kept.
KEYWORD_NOTHING_TO_SEARCH = (
    "The keyword “{keyword}” has no words to search for: common words (such as “the” or "
    "“and”), operators (“or”, “-”) and punctuation find nothing on their own. No cell "
    "matches it; try a word from a cell or a quote."
)


def cells_matching(queryset, text: str, *, narrowed: bool = False):
    """Cells the full-text search finds for `text` (the search app's, through
    `core.registry`): their text, activity name, the quotes that cite them, their level and
    framework; none when `text` has no word to search for. `narrowed`: `queryset` holds
    few cells (a framework's), which the search may then start from."""
    ids = registry.matching_ids("cell", text, within=queryset if narrowed else None)
    return queryset.none() if ids is None else queryset.filter(pk__in=ids)


class CellFilter(StaticFormFilterSet):
    framework = SlugMultipleFilter(
        field_name="framework", queryset=Framework.objects.all(), label="Framework"
    )
    activity = SlugMultipleFilter(
        field_name="activity", queryset=Activity.objects.all(), label="Activity"
    )
    level = SlugMultipleFilter(
        field_name="level", queryset=EngagementLevel.objects.all(), label="Level"
    )
    institution = SlugMultipleFilter(
        field_name="framework__institutions",
        queryset=Institution.objects.all(),
        distinct=True,
        method="filter_institution",
        label="Institution",
    )
    kind = ChoiceMultipleFilter(field_name="kind", choices=CellKind.choices, label="Kind")
    evidence = ChoiceMultipleFilter(
        field_name="evidence", choices=CellEvidence.choices, label="Evidence"
    )
    emphasised = StrictBooleanFilter(field_name="emphasised", label="Emphasised only")
    q = django_filters.CharFilter(method="filter_q", label="Keyword", max_length=KEYWORD_MAX_LENGTH)

    class Meta:
        model = Cell
        fields = [
            "framework",
            "activity",
            "level",
            "institution",
            "kind",
            "evidence",
            "emphasised",
            "q",
        ]

    def __init__(self, *args, one_framework: bool = False, **kwargs):
        """`one_framework`: the queryset holds one framework's cells (a matrix and its
        exports), a few dozen a keyword can be looked for in one by one."""
        super().__init__(*args, **kwargs)
        self.one_framework = one_framework
        self.nothing_to_search = False

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        narrowed = self.one_framework or bool(self.form.cleaned_data.get("framework"))
        matching = cells_matching(queryset, value, narrowed=narrowed)
        self.nothing_to_search = matching.query.is_empty()
        return matching

    def keyword_note(self) -> str:
        """Why the keyword finds no cell when it has nothing to search for; once `qs` ran."""
        if not self.nothing_to_search:
            return ""
        return KEYWORD_NOTHING_TO_SEARCH.format(keyword=self.form.cleaned_data["q"].strip())

    def filter_institution(self, queryset, name, value):
        if not value:
            return queryset
        state = state_of(queryset)
        if state is None:
            return queryset.filter(framework__institutions__in=value).distinct()
        # The frameworks those institutions were part of then.
        members = m2m_history_model(Framework, "institutions")._default_manager.filter(
            history_id__in=records_at(Framework, state.version).values("history_id"),
            institution_id__in=[institution.pk for institution in value],
        )
        return queryset.filter(framework_id__in=members.values("framework_id"))


class LevelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Name, definition or conditions contain")

    class Meta:
        model = EngagementLevel
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(definition__icontains=value)
            | Q(conditions__icontains=value)
        )


class ActivityFilter(NameFilterSet):
    class Meta:
        model = Activity
        fields = ["q"]


class FrameworkFilter(NameFilterSet):
    institution = SlugMultipleFilter(
        field_name="institutions",
        queryset=Institution.objects.all(),
        distinct=True,
        label="Institution",
    )
    document = SlugMultipleFilter(
        field_name="document", queryset=Document.objects.all(), label="Source document"
    )

    class Meta:
        model = Framework
        fields = ["institution", "document", "q"]
