"""Pages of the engagement framework: the matrix and what it is made of.

Every view fetches what its page shows with a fixed number of queries (named QuerySet
methods and flat lookups), puts it in the context with `breadcrumbs` and `api_url` (the
page's JSON twin under /api/v1/), and never lets the template walk an unloaded relation.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from core.filtering import CommaSeparatedMultiple
from core.forms import PairForm
from core.history import State, objects_of
from core.pages import api_link, breadcrumbs
from core.releases import PARAMETER as RELEASE
from core.releases import ReleasePageMixin
from engagement.charts import counts_by_level, distribution_svg, heatmap_svg
from engagement.filters import KEYWORD_AT_RELEASE
from engagement.matrix import link_cells
from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework
from engagement.selectors import (
    cell_filter,
    framework_comparison,
    framework_matrix,
    matrix_selection,
)
from sources.models import Citation, citations_prefetch

# The matrix page's own parameters besides the filters; `framework` and `institution` are
# the path's business there, so they are refused like any unknown name. Its exports take
# the same query string (and `excel`).
MATRIX_PARAMETERS = ("level", "activity", "kind", "emphasised", "q")
MATRIX_QUERY = frozenset({*MATRIX_PARAMETERS, "view", RELEASE})
VIEWS = {"activities": "Activities as rows", "levels": "Levels as rows"}


def view_errors(params) -> dict[str, list[str]]:
    """`?view=`: activities or levels as rows."""
    if params.get("view", "activities") not in ("", *VIEWS):
        return {"view": [f"Not one of: {', '.join(VIEWS)}."]}
    return {}


def _levels(state: State | None = None) -> list[EngagementLevel]:
    return list(objects_of(EngagementLevel, state).order_by("ordinal"))


def _activities(state: State | None = None) -> list[Activity]:
    return list(objects_of(Activity, state).order_by("ordinal"))


def _framework_at(state: State, slug: str) -> Framework:
    """A framework with its source and institutions, as it stood in `state`; 404 if it did
    not exist then."""
    return get_object_or_404(
        state.objects(Framework).prefetch_state("document", "institutions"), slug=slug
    )


class FrameworkDetailView(ReleasePageMixin, TemplateView):
    """A framework's matrix, filtered by the query string; the URL is the whole state.
    `?release=<tag>` shows it as it stood at that release."""

    template_name = "engagement/framework_detail.html"

    def get_framework(self) -> Framework:
        if self.state is not None:
            return _framework_at(self.state, self.kwargs["slug"])
        return get_object_or_404(Framework.objects.for_index(), slug=self.kwargs["slug"])

    def cells(self, framework: Framework):
        """The cells the filter narrows: as the matrix reads them, or as they stood."""
        if self.state is not None:
            return self.state.objects(Cell).filter(framework_id=framework.pk)
        return Cell.objects.for_matrix(framework)

    def get(self, request, *args, **kwargs):
        framework = self.get_framework()
        state = self.state
        levels, activities = _levels(state), _activities(state)
        context = {
            "framework": framework,
            "levels": levels,
            "activities": activities,
            "kinds": CellKind.choices,
            "views": VIEWS,
            "selected": self.selected(request.GET),
            "keyword": request.GET.get("q", ""),
            "view_mode": request.GET.get("view") or "activities",
            "emphasised_only": request.GET.get("emphasised", "").lower() in ("true", "1", "yes"),
            "api_url": self.api_url(framework, request.GET),
            "breadcrumbs": breadcrumbs(
                ("Frameworks", reverse("engagement:framework-index")), (framework.name, None)
            ),
            "filtered": any(name in request.GET for name in (*MATRIX_PARAMETERS, "view")),
        }
        errors = {
            name: [
                "Unknown parameter; this page takes "
                + ", ".join(MATRIX_PARAMETERS)
                + ", view, release."
            ]
            for name in sorted(set(request.GET) - MATRIX_QUERY)
        }
        errors.update(view_errors(request.GET))
        if state is not None and request.GET.get("q", "").strip():
            errors["q"] = [KEYWORD_AT_RELEASE]
        filterset = cell_filter(request.GET, queryset=self.cells(framework))
        if not errors and not filterset.is_valid():
            errors = {name: list(messages) for name, messages in filterset.errors.items()}
        if errors:
            context["errors"] = dict(sorted(errors.items()))
            return self.render_to_response(context, status=400)
        selection = matrix_selection(filterset, levels=levels, activities=activities)
        matrix = framework_matrix(framework, filterset.qs, selection)
        link_cells(matrix.placed(), state=state)
        context.update(self.release_context({Framework: [framework], Cell: matrix.cells}))
        context["matrix"] = matrix
        context["transposed"] = [
            (level, [row.cells[index] for row in matrix.rows])
            for index, level in enumerate(matrix.levels)
        ]
        context["heatmap"] = heatmap_svg(matrix, svg_id=f"heatmap-{framework.slug}")
        context["distribution"] = distribution_svg(
            svg_id=f"distribution-{framework.slug}",
            name=framework.name,
            levels=matrix.levels,
            counts=counts_by_level(matrix.cells),
        )
        return self.render_to_response(context)

    @staticmethod
    def selected(params) -> dict[str, list[str]]:
        """The values the form shows as chosen, read as the filter reads them."""
        widget = CommaSeparatedMultiple()
        return {
            name: widget.value_from_datadict(params, None, name)
            for name in ("level", "activity", "kind")
        }

    @staticmethod
    def api_url(framework: Framework, params) -> str:
        query = params.copy()
        query.pop("view", None)
        query["framework"] = framework.slug
        return api_link("cell-list", query=query)


class HomeView(FrameworkDetailView):
    """The default framework's matrix."""

    def get_framework(self) -> Framework:
        if self.state is not None:
            return _framework_at(self.state, settings.ATLAS_DEFAULT_FRAMEWORK)
        framework = (
            Framework.objects.for_index().filter(slug=settings.ATLAS_DEFAULT_FRAMEWORK).first()
        )
        if framework is None:
            raise Http404("The knowledge base is empty: run `python manage.py seed`.")
        return framework


class FrameworkIndexView(TemplateView):
    """Every framework, with its institutions, source and distribution over the levels."""

    template_name = "engagement/framework_index.html"

    def get_context_data(self, **kwargs):
        frameworks = list(Framework.objects.for_index())
        levels = _levels()
        counts: dict[int, dict[int, int]] = {}
        for row in (
            Cell.objects.exclude(kind=CellKind.EMPTY)
            .values("framework_id", "level_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts.setdefault(row["framework_id"], {})[row["level_id"]] = row["n"]
        for framework in frameworks:
            framework.chart = distribution_svg(
                svg_id=f"distribution-{framework.slug}",
                name=framework.name,
                levels=levels,
                counts=counts.get(framework.pk, {}),
            )
            framework.filled = sum(counts.get(framework.pk, {}).values())
        return {
            "frameworks": frameworks,
            "api_url": api_link("framework-list"),
            "breadcrumbs": breadcrumbs(("Frameworks", None)),
        }


class CellDetailView(ReleasePageMixin, TemplateView):
    """One cell: its text, its citations in their passages, its neighbours and permalink."""

    template_name = "engagement/cell_detail.html"

    def get_context_data(self, **kwargs):
        cell, neighbours = (
            self.cell_now() if self.state is None else cell_at(self.state, **self.kwargs)
        )
        framework = cell.framework
        return {
            "cell": cell,
            "framework": framework,
            "row_neighbours": [n for n in neighbours if n.activity_id == cell.activity_id],
            "column_neighbours": [n for n in neighbours if n.level_id == cell.level_id],
            "permalink": self.request.build_absolute_uri(cell.get_absolute_url()),
            "api_url": api_link(
                "cell-list",
                framework=framework.slug,
                activity=cell.activity.slug,
                level=cell.level.slug,
            ),
            "breadcrumbs": breadcrumbs(
                ("Frameworks", reverse("engagement:framework-index")),
                (framework.name, framework.get_absolute_url()),
                (f"{cell.activity.name} / {cell.level.name}", None),
            ),
            **self.release_context({Cell: [cell]}),
        }

    def cell_now(self) -> tuple[Cell, list[Cell]]:
        cell = get_object_or_404(
            Cell.objects.select_related("framework__document", "activity", "level")
            .defer("framework__document__text")
            .prefetch_related(
                Prefetch(
                    "citations",
                    queryset=Citation.objects.with_passage().order_by("role", "pk"),
                ),
                "framework__institutions",
            ),
            framework__slug=self.kwargs["slug"],
            activity__slug=self.kwargs["activity"],
            level__slug=self.kwargs["level"],
        )
        neighbours = list(
            Cell.objects.filter(framework_id=cell.framework_id)
            .filter(Q(activity_id=cell.activity_id) | Q(level_id=cell.level_id))
            .exclude(pk=cell.pk)
            .select_related("framework", "activity", "level")
            .order_by("activity__ordinal", "level__ordinal")
        )
        return cell, neighbours


def cell_at(state: State, *, slug: str, activity: str, level: str) -> tuple[Cell, list[Cell]]:
    """A cell as it stood in `state`, with its citations in their passages, its framework
    (source, institutions), and its neighbours; a 404 where it did not exist then."""
    framework = _framework_at(state, slug)
    activity_at = get_object_or_404(state.objects(Activity), slug=activity)
    level_at = get_object_or_404(state.objects(EngagementLevel), slug=level)
    cell = get_object_or_404(
        state.objects(Cell).prefetch_state("citations__passage__document"),
        framework_id=framework.pk,
        activity_id=activity_at.pk,
        level_id=level_at.pk,
    )
    cell.framework, cell.activity, cell.level = framework, activity_at, level_at
    neighbours = list(
        state.objects(Cell)
        .filter(framework_id=framework.pk)
        .filter(Q(activity_id=activity_at.pk) | Q(level_id=level_at.pk))
        .exclude(pk=cell.pk)
        .order_by("activity__ordinal", "level__ordinal")
        .prefetch_state("activity", "level")
    )
    for neighbour in neighbours:
        neighbour.framework = framework
    return cell, neighbours


class FrameworkCompareView(ReleasePageMixin, TemplateView):
    """Two matrices side by side, activity by activity; cells only one of them fills marked."""

    template_name = "engagement/framework_compare.html"

    def get(self, request, *args, **kwargs):
        frameworks = list(objects_of(Framework, self.state).order_by("ordinal", "name"))
        form = PairForm(
            request.GET, queryset=Framework.objects.all(), noun="framework", loaded=frameworks
        )
        context = {
            "frameworks": frameworks,
            "a_slug": form.slugs["a"],
            "b_slug": form.slugs["b"],
            "breadcrumbs": breadcrumbs(
                ("Frameworks", reverse("engagement:framework-index")), ("Compare", None)
            ),
        }
        if not form.is_valid():
            context["errors"] = {name: list(errors) for name, errors in form.errors.items()}
            return self.render_to_response(context, status=400)
        comparison = framework_comparison(
            form.cleaned_data["a"], form.cleaned_data["b"], state=self.state
        )
        context.update(
            a=comparison.a,
            b=comparison.b,
            levels=comparison.levels,
            rows=comparison.rows,
            only_a=comparison.only_a,
            only_b=comparison.only_b,
            api_url=api_link("cell-list", framework=f"{comparison.a.slug},{comparison.b.slug}"),
            **self.release_context(
                {
                    Framework: [comparison.a, comparison.b],
                    Cell: [c for row in comparison.rows for p in row.pairs for c in (p.a, p.b)],
                }
            ),
        )
        return self.render_to_response(context)


class ActivityIndexView(TemplateView):
    template_name = "engagement/activity_index.html"

    def get_context_data(self, **kwargs):
        activities = _activities()
        emphasised: dict[int, list[Cell]] = {}
        for cell in Cell.objects.filter(emphasised=True).select_related(
            "framework", "activity", "level"
        ):
            emphasised.setdefault(cell.activity_id, []).append(cell)
        for activity in activities:
            activity.emphasised_cells = emphasised.get(activity.pk, [])
        return {
            "activities": activities,
            "api_url": api_link("activity-list"),
            "breadcrumbs": breadcrumbs(("Activities", None)),
        }


class ActivityDetailView(ReleasePageMixin, TemplateView):
    """An activity across the four levels, in every framework."""

    template_name = "engagement/activity_detail.html"

    def get_context_data(self, **kwargs):
        state = self.state
        if state is None:
            activity = get_object_or_404(
                Activity.objects.prefetch_related(citations_prefetch()),
                slug=self.kwargs["slug"],
            )
            found = Cell.objects.filter(activity=activity).only(*Cell.MATRIX_FIELDS)
        else:
            activity = get_object_or_404(
                state.objects(Activity).prefetch_state("citations__passage__document"),
                slug=self.kwargs["slug"],
            )
            found = state.objects(Cell).filter(activity_id=activity.pk)
        levels = _levels(state)
        frameworks = list(objects_of(Framework, state).order_by("ordinal", "name"))
        cells = {(cell.framework_id, cell.level_id): cell for cell in found}
        rows = [
            {
                "framework": framework,
                "cells": [cells.get((framework.pk, level.pk)) for level in levels],
            }
            for framework in frameworks
        ]
        link_cells(
            (
                (cell, row["framework"], activity, level)
                for row in rows
                for level, cell in zip(levels, row["cells"], strict=True)
                if cell is not None
            ),
            state=state,
        )
        return {
            "activity": activity,
            "levels": levels,
            "rows": rows,
            "api_url": api_link("activity-detail", activity.slug),
            "breadcrumbs": breadcrumbs(
                ("Activities", reverse("engagement:activity-index")), (activity.name, None)
            ),
            **self.release_context({Activity: [activity], Cell: list(cells.values())}),
        }


class LevelIndexView(TemplateView):
    template_name = "engagement/level_index.html"

    def get_context_data(self, **kwargs):
        levels = list(
            EngagementLevel.objects.order_by("ordinal").annotate(
                filled=Count("cells", filter=~Q(cells__kind=CellKind.EMPTY))
            )
        )
        return {
            "levels": levels,
            "api_url": api_link("level-list"),
            "breadcrumbs": breadcrumbs(("Levels", None)),
        }


class LevelDetailView(ReleasePageMixin, TemplateView):
    """A level's definition and conditions, cited, and all its cells in every framework."""

    template_name = "engagement/level_detail.html"

    def get_context_data(self, **kwargs):
        state = self.state
        if state is None:
            level = get_object_or_404(
                EngagementLevel.objects.with_citations(), slug=self.kwargs["slug"]
            )
            found = (
                Cell.objects.filter(level=level)
                .select_related("framework", "activity", "level")
                .prefetch_related(citations_prefetch())
                .order_by("activity__ordinal")
            )
        else:
            level = get_object_or_404(
                state.objects(EngagementLevel).prefetch_state("citations__passage__document"),
                slug=self.kwargs["slug"],
            )
            found = (
                state.objects(Cell)
                .filter(level_id=level.pk)
                .order_by("activity__ordinal")
                .prefetch_state("framework", "activity", "level", "citations__passage__document")
            )
        frameworks = list(objects_of(Framework, state).order_by("ordinal", "name"))
        cells: dict[int, list[Cell]] = {}
        for cell in found:
            cells.setdefault(cell.framework_id, []).append(cell)
        citations = list(level.citations.all())
        return {
            "level": level,
            "definition_citations": [c for c in citations if c.role == "definition"],
            "conditions_citations": [c for c in citations if c.role == "conditions"],
            "groups": [
                {"framework": framework, "cells": cells.get(framework.pk, [])}
                for framework in frameworks
            ],
            "api_url": api_link("level-detail", level.slug),
            "breadcrumbs": breadcrumbs(
                ("Levels", reverse("engagement:level-index")), (level.name, None)
            ),
            **self.release_context(
                {EngagementLevel: [level], Cell: [c for group in cells.values() for c in group]}
            ),
        }
