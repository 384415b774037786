"""Pages of the engagement framework: the matrix and what it is made of.

Every view fetches what its page shows with a fixed number of queries (named QuerySet
methods and flat lookups), puts it in the context with `breadcrumbs` and `api_url` (the
page's JSON twin under /api/v1/), and never lets the template walk an unloaded relation.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Min, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from core.at_release import PARAMETER as RELEASE
from core.at_release import ReleasePageMixin, release_query
from core.cache import depends_on
from core.filtering import CommaSeparatedMultiple
from core.forms import PairForm, picker_suggestions
from core.history import State, objects_of
from core.links import link, linker
from core.pages import api_link, breadcrumbs, fragment
from core.paging import PageParametersMixin, filtered, only_parameters, paginate
from engagement.charts import counts_by_level, distribution_svg, heatmap_svg
from engagement.filters import KEYWORD_AT_RELEASE, ActivityFilter, CellFilter, FrameworkFilter
from engagement.grid import GridPage, grid_cells_with_sources, grid_page
from engagement.matrix import GridCell, build_matrix, grid_cells, link_cells
from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework
from engagement.selectors import (
    framework_comparison,
    framework_matrix,
    matrix_selection,
)
from engagement.templatetags.explorer import matrix_cells
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


def framework_scopes(framework: Framework, institutions=None) -> list[str]:
    """What a page about `framework` shows of it (`core.cache.depends_on`): it and its cells,
    its source document, its institutions' names, the levels and activities. Its
    `institutions` when the caller has them, else those prefetched (`for_index()`)."""
    if institutions is None:
        institutions = framework.institutions.all()
    return [
        "vocabulary",
        f"framework:{framework.pk}",
        f"document:{framework.document_id}",
        *(f"institution:{institution.pk}" for institution in institutions),
    ]


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


def _linked(objects):
    """`objects` with their page's URL as `url` (at a release, keeping it)."""
    objects = list(objects)
    for obj in objects:
        obj.url = obj.get_absolute_url()
    return objects


class FrameworkDetailView(ReleasePageMixin, TemplateView):
    """A framework's matrix, filtered by the query string; the URL is the whole state.
    `?release=<tag>` shows it as it stood at that release.

    The page read most, and uncached after every edit: its data come in two queries of
    plain SQL (`engagement.grid`), its heading, form and grid are a Jinja2 fragment
    (`templates/jinja2/engagement/matrix.html`), and without filters the cell filter's form
    is not built at all (it would keep every cell)."""

    template_name = "engagement/framework_detail.html"

    def slug(self) -> str:
        return self.kwargs["slug"]

    def get_page(self) -> GridPage:
        page = grid_page(self.slug())
        if page is None:
            raise Http404("No such framework.")
        return page

    def get(self, request, *args, **kwargs):
        if self.state is not None:
            return self.get_at_release(request)
        page = self.get_page()
        framework, levels, activities = page.framework, page.levels, page.activities
        params = request.GET
        context, fragment_context = self.contexts(
            framework,
            document_url=framework.document.url,
            institutions=framework.institutions,
            levels=levels,
            activities=activities,
        )
        errors = self.parameter_errors(params)
        filterset = only = None
        no_cell = False
        if not errors and any(name in params for name in MATRIX_PARAMETERS):
            filterset = CellFilter(
                params, queryset=Cell.objects.filter(framework_id=framework.pk), one_framework=True
            )
            if filterset.is_valid():
                chosen = filterset.qs
                # A keyword with nothing to search for chooses no cell: a query with no SQL.
                no_cell = chosen.query.is_empty()
                if not no_cell:
                    only = chosen.values("pk").order_by().query.sql_with_params()
                fragment_context["keyword_note"] = filterset.keyword_note()
            else:
                errors = {name: list(messages) for name, messages in filterset.errors.items()}
        if errors:
            context["errors"] = dict(sorted(errors.items()))
            context["content"] = fragment("engagement/matrix.html", fragment_context)
            return self.render_to_response(context, status=400)
        cells, cited = ([], set()) if no_cell else grid_cells_with_sources(page, only=only)
        selection = matrix_selection(filterset, levels=levels, activities=activities)
        # The filter names levels and activities as models: the page shows its own objects.
        level_of = {level.pk: level for level in levels}
        activity_of = {activity.pk: activity for activity in activities}
        matrix = build_matrix(
            framework,
            cells,
            levels=[level_of[level.pk] for level in selection.levels],
            activities=[activity_of[activity.pk] for activity in selection.activities],
            keep_empty_rows=selection.keep_empty_rows,
        )
        depends_on(
            request,
            *framework_scopes(framework, framework.institutions),
            *(f"document:{d}" for d in cited),
        )
        return self.matrix_response(context, fragment_context, matrix)

    def contexts(self, framework, **shown) -> tuple[dict, dict]:
        """The page's context and its fragment's, before the matrix is read: the framework,
        what the form offers (`shown`: its document's URL, institutions, levels and
        activities) and what the request asked for."""
        params = self.request.GET
        context = {
            "framework": framework,
            "api_url": self.api_url(framework, params),
            "breadcrumbs": breadcrumbs(
                ("Frameworks", reverse("engagement:framework-index")), (framework.name, None)
            ),
        }
        fragment_context = {
            "framework": framework,
            **shown,
            "kinds": CellKind.choices,
            "views": VIEWS,
            "selected": self.selected(params),
            "keyword": params.get("q", ""),
            "view_mode": params.get("view") or "activities",
            "emphasised_only": params.get("emphasised", "").lower() in ("true", "1", "yes"),
            "filtered": any(name in params for name in (*MATRIX_PARAMETERS, "view")),
            "path": self.request.path,
            "matrix": None,
            "keyword_note": "",
            "release_tag": self.release.tag if self.release else "",
            "release_query": release_query() if self.release else "",
        }
        return context, fragment_context

    def matrix_response(self, context: dict, fragment_context: dict, matrix):
        """The page with its matrix: the fragment (grid and transposed grid) and the charts."""
        framework = fragment_context["framework"]
        fragment_context.update(
            matrix=matrix,
            transposed=[
                (level, [row.cells[index] for row in matrix.rows])
                for index, level in enumerate(matrix.levels)
            ],
            matrix_cells=matrix_cells,
            level_urls={level.pk: level.url for level in fragment_context["levels"]},
            activity_urls={a.pk: a.url for a in fragment_context["activities"]},
        )
        context["content"] = fragment("engagement/matrix.html", fragment_context)
        context["heatmap"] = heatmap_svg(matrix, svg_id=f"heatmap-{framework.slug}")
        context["distribution"] = distribution_svg(
            svg_id=f"distribution-{framework.slug}",
            name=framework.name,
            levels=matrix.levels,
            counts=counts_by_level(matrix.cells),
        )
        return self.render_to_response(context)

    @staticmethod
    def parameter_errors(params) -> dict[str, list[str]]:
        errors = {
            name: [
                "Unknown parameter; this page takes "
                + ", ".join(MATRIX_PARAMETERS)
                + ", view, release."
            ]
            for name in sorted(set(params) - MATRIX_QUERY)
        }
        errors.update(view_errors(params))
        return errors

    def get_at_release(self, request):
        """The matrix as it stood at the release: read from the history (`core.history`),
        laid out by the same fragment."""
        state, params = self.state, request.GET
        framework = _framework_at(state, self.slug())
        levels, activities = _linked(_levels(state)), _linked(_activities(state))
        context, fragment_context = self.contexts(
            framework,
            document_url=framework.document.get_absolute_url(),
            institutions=_linked(framework.institutions.all()),
            levels=levels,
            activities=activities,
        )
        errors = self.parameter_errors(params)
        if params.get("q", "").strip():
            errors["q"] = [KEYWORD_AT_RELEASE]
        filterset = CellFilter(
            params, queryset=state.objects(Cell).filter(framework_id=framework.pk)
        )
        if not errors and not filterset.is_valid():
            errors = {name: list(messages) for name, messages in filterset.errors.items()}
        if errors:
            context["errors"] = dict(sorted(errors.items()))
            context["content"] = fragment("engagement/matrix.html", fragment_context)
            return self.render_to_response(context, status=400)
        selection = matrix_selection(filterset, levels=levels, activities=activities)
        matrix = framework_matrix(framework, filterset.qs, selection)
        link_cells(matrix.placed(), state=state)
        context.update(self.release_context({Framework: [framework], Cell: matrix.cells}))
        return self.matrix_response(context, fragment_context, matrix)

    @staticmethod
    def selected(params) -> dict[str, list[str]]:
        """The values the form shows as chosen, read as the filter reads them."""
        widget = CommaSeparatedMultiple()
        return {
            name: widget.value_from_datadict(params, None, name)
            for name in ("level", "activity", "kind")
        }

    @staticmethod
    def api_url(framework, params) -> str:
        query = params.copy()
        query.pop("view", None)
        query["framework"] = framework.slug
        return api_link("cell-list", query=query)


class HomeView(FrameworkDetailView):
    """The default framework's matrix."""

    def slug(self) -> str:
        return settings.ATLAS_DEFAULT_FRAMEWORK

    def get_page(self) -> GridPage:
        page = grid_page(settings.ATLAS_DEFAULT_FRAMEWORK)
        if page is None:
            raise Http404("The knowledge base is empty: run `python manage.py seed`.")
        return page


def _filled_counts(cells) -> dict[int, dict[int, int]]:
    """{framework id: {level id: cells with an entry}} of `cells`, in one GROUP BY."""
    counts: dict[int, dict[int, int]] = {}
    for row in (
        cells.exclude(kind=CellKind.EMPTY)
        .values("framework_id", "level_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(row["framework_id"], {})[row["level_id"]] = row["n"]
    return counts


def framework_picker(**context) -> dict:
    """What the frameworks' comparison picker needs (`_pair_picker.html`)."""
    return {
        "compare_action": reverse("engagement:framework-compare"),
        "compare_noun": "framework",
        "compare_suggestions": picker_suggestions(Framework.objects.order_by("ordinal", "name")),
        **context,
    }


class FrameworkIndexView(PageParametersMixin, TemplateView):
    """Frameworks, a page at a time, filtered by institution, source or name; how the cells
    of the frameworks of the page spread over the levels, in one chart (not one chart or
    bar per framework, unreadable by the hundred; and not a count of every framework's
    cells, which would read them all on every request)."""

    template_name = "engagement/framework_index.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filterset = filtered(FrameworkFilter, params, Framework.objects.for_index())
        page = paginate(filterset.qs, params, per_page=self.paginate_by, path=self.request.path)
        levels = _levels()
        counts = _filled_counts(Cell.objects.filter(framework__in=[f.pk for f in page.items]))
        for framework in page.items:
            framework.url = framework.get_absolute_url()
            framework.filled_by_level = [
                (level, counts.get(framework.pk, {}).get(level.pk, 0)) for level in levels
            ]
            framework.filled = sum(counts.get(framework.pk, {}).values())
        totals = {
            level.pk: sum(counts.get(framework.pk, {}).get(level.pk, 0) for framework in page.items)
            for level in levels
        }
        shown = (
            f"the {page.count} framework{'s' if page.count != 1 else ''}"
            if page.pages == 1
            else f"frameworks {page.start} to {page.end} of {page.count}"
        )
        return {
            **self.error_context(),
            "page": page,
            "pagination": page,
            "cards": fragment("engagement/framework_cards.html", {"frameworks": page.items}),
            "chart": distribution_svg(
                svg_id="distribution-frameworks",
                name=shown,
                levels=levels,
                counts=totals,
            ),
        }

    def error_context(self, **kwargs) -> dict:
        return framework_picker(
            api_url=api_link("framework-list", query=self.request.GET),
            breadcrumbs=breadcrumbs(("Frameworks", None)),
            compare_a="eu-ai-office-uk-aisi",
            compare_b="eu-ai-office-us-aisi",
        )


class CellDetailView(ReleasePageMixin, TemplateView):
    """One cell: its text, its citations in their passages, its neighbours and permalink."""

    template_name = "engagement/cell_detail.html"

    def get_context_data(self, **kwargs):
        if self.state is None:
            cell, neighbours = self.cell_now()
        else:
            cell, neighbours = cell_at(self.state, **self.kwargs)
        framework = cell.framework
        return {
            "cell": cell,
            "framework": framework,
            "row_neighbours": [n for n in neighbours if n.activity_id == cell.activity_id],
            "column_neighbours": [n for n in neighbours if n.level_id == cell.level_id],
            "permalink": self.request.build_absolute_uri(cell.get_absolute_url()),
            "api_url": api_link("cell-detail", cell.pk),
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
        depends_on(
            self.request,
            *framework_scopes(cell.framework),
            *(f"document:{citation.passage.document_id}" for citation in cell.citations.all()),
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
    """Two matrices side by side, activity by activity; cells only one of them fills marked.

    `a` and `b` take a slug or a name (`core.forms.PairForm`); a pair named by names is
    redirected to its slugs, the one address of the comparison."""

    template_name = "engagement/framework_compare.html"

    def get(self, request, *args, **kwargs):
        form = PairForm(request.GET, queryset=objects_of(Framework, self.state), noun="framework")
        valid = form.is_valid()
        if (moved := self.pair_redirect(form)) is not None:
            return moved
        context = framework_picker(
            compare_a=form.slugs["a"],
            compare_b=form.slugs["b"],
            compare_choices=form.choice_links(request.path),
            breadcrumbs=breadcrumbs(
                ("Frameworks", reverse("engagement:framework-index")), ("Compare", None)
            ),
        )
        if not valid:
            context["errors"] = {name: list(errors) for name, errors in form.errors.items()}
            return self.render_to_response(context, status=400)
        comparison = framework_comparison(
            form.cleaned_data["a"], form.cleaned_data["b"], state=self.state
        )
        if self.state is None:
            depends_on(
                request,
                "vocabulary",
                "frameworks",  # the picker's suggestions
                f"framework:{comparison.a.pk}",
                f"framework:{comparison.b.pk}",
            )
        context.update(
            a=comparison.a,
            b=comparison.b,
            table=fragment(
                "engagement/compare.html",
                {
                    "a": comparison.a,
                    "b": comparison.b,
                    "levels": comparison.levels,
                    "rows": comparison.rows,
                    "activity_urls": {
                        row.activity.pk: row.activity.get_absolute_url() for row in comparison.rows
                    },
                },
            ),
            only_a=comparison.only_a,
            only_b=comparison.only_b,
            api_url=api_link("cell-list", framework=f"{comparison.a.slug},{comparison.b.slug}"),
            **self.release_context(
                {
                    Framework: [comparison.a, comparison.b],
                    Cell: [
                        c for row in comparison.rows for p in row.pairs for c in (p.a, p.b) if c
                    ],
                }
            ),
        )
        return self.render_to_response(context)


class ActivityIndexView(PageParametersMixin, TemplateView):
    """The common activities, a page at a time, with the levels frameworks single out."""

    template_name = "engagement/activity_index.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filterset = filtered(ActivityFilter, params, Activity.objects.order_by("ordinal"))
        page = paginate(filterset.qs, params, per_page=self.paginate_by, path=self.request.path)
        levels = {level.pk: level for level in _levels()}
        # Per activity and level: how many frameworks single it out, and which when only one
        # does (its cell is then linked); from the emphasis index alone, then the frameworks
        # named (one query, whatever their number: one per position at most).
        rows = list(
            Cell.objects.filter(emphasised=True, activity__in=[a.pk for a in page.items])
            .values("activity_id", "level_id")
            .annotate(n=Count("pk"), first=Min("framework_id"))
            .order_by()
        )
        named = {
            pk: (slug, name)
            for pk, slug, name in Framework.objects.filter(
                pk__in={row["first"] for row in rows}
            ).values_list("pk", "slug", "name")
        }
        for activity in page.items:
            activity.emphasised_levels = [
                {
                    "level": levels[row["level_id"]],
                    "frameworks": row["n"],
                    "framework_name": named[row["first"]][1] if row["n"] == 1 else None,
                    "url": link(
                        "engagement:cell-detail",
                        slug=named[row["first"]][0],
                        activity=activity.slug,
                        level=levels[row["level_id"]].slug,
                    )
                    if row["n"] == 1
                    else activity.get_absolute_url(),
                }
                for row in sorted(rows, key=lambda row: levels[row["level_id"]].ordinal)
                if row["activity_id"] == activity.pk
            ]
        return {**self.error_context(), "page": page, "pagination": page, "activities": page.items}

    def error_context(self, **kwargs) -> dict:
        return {
            "api_url": api_link("activity-list", query=self.request.GET),
            "breadcrumbs": breadcrumbs(("Activities", None)),
        }


def _framework_rows(view, params):
    """The frameworks an activity or level page lists: filtered (institution, source,
    name) and a page at a time; at a release, every framework of then, a page at a time."""
    if view.state is not None:
        only_parameters(params, allowed=("page", RELEASE))
        frameworks = list(view.state.objects(Framework).order_by("ordinal", "name"))
        return paginate(frameworks, params, per_page=view.paginate_by, path=view.request.path)
    filterset = filtered(
        FrameworkFilter,
        params,
        Framework.objects.order_by("ordinal", "name"),
        allowed=(RELEASE,),
    )
    return paginate(filterset.qs, params, per_page=view.paginate_by, path=view.request.path)


class ActivityDetailView(ReleasePageMixin, PageParametersMixin, TemplateView):
    """An activity across the four levels, in every framework (filtered, a page at a time);
    at a release, as it stood then."""

    template_name = "engagement/activity_detail.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        activity = self.get_activity()
        state = self.state
        levels = _levels(state)
        page = _framework_rows(self, self.request.GET)
        on_page = [f.pk for f in page.items]
        if state is None:
            found = grid_cells(
                Cell.objects.filter(activity=activity, framework__in=on_page).grid_rows()
            )
        else:
            found = state.objects(Cell).filter(activity_id=activity.pk, framework_id__in=on_page)
        cells = {(cell.framework_id, cell.level_id): cell for cell in found}
        rows = [
            {
                "framework": framework,
                "cells": [cells.get((framework.pk, level.pk)) for level in levels],
            }
            for framework in page.items
        ]
        cited = link_cells(
            (
                (cell, row["framework"], activity, level)
                for row in rows
                for level, cell in zip(levels, row["cells"], strict=True)
                if cell is not None
            ),
            state=state,
        )
        if state is None:
            depends_on(
                self.request,
                "vocabulary",
                "frameworks",
                *(f"framework:{framework.pk}" for framework in page.items),
                *(f"document:{d}" for d in cited),
                *(f"document:{c.passage.document_id}" for c in activity.citations.all()),
            )
        return {
            **self.error_context(),
            "levels": levels,
            "rows": rows,
            "page": page,
            "pagination": page,
            **self.release_context({Activity: [activity], Cell: list(cells.values())}),
        }

    def get_activity(self) -> Activity:
        if not hasattr(self, "activity"):
            if self.state is None:
                queryset = Activity.objects.prefetch_related(citations_prefetch())
            else:
                queryset = self.state.objects(Activity).prefetch_state(
                    "citations__passage__document"
                )
            self.activity = get_object_or_404(queryset, slug=self.kwargs["slug"])
        return self.activity

    def error_context(self, **kwargs) -> dict:
        activity = self.get_activity()
        return {
            "activity": activity,
            "api_url": api_link("activity-detail", activity.slug),
            "breadcrumbs": breadcrumbs(
                ("Activities", reverse("engagement:activity-index")), (activity.name, None)
            ),
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


class LevelDetailView(ReleasePageMixin, PageParametersMixin, TemplateView):
    """A level's definition and conditions, cited, and its cells in every framework
    (filtered, a page of frameworks at a time); at a release, as they stood then."""

    template_name = "engagement/level_detail.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        level = self.get_level()
        state = self.state
        page = _framework_rows(self, self.request.GET)
        activities = {a.pk: a for a in _activities(state)}
        for activity in activities.values():
            activity.url = activity.get_absolute_url()
        cell_link = linker("engagement:cell-detail", "slug", "activity", "level")
        frameworks = {framework.pk: framework for framework in page.items}
        # The page's cells as rows, not models: a page of 20 frameworks shows 300 of them.
        cells: dict[int, list[GridCell]] = {}
        if state is None:
            found = grid_cells(
                Cell.objects.filter(level=level, framework__in=list(frameworks)).grid_rows()
            )
        else:
            found = state.objects(Cell).filter(level_id=level.pk, framework_id__in=list(frameworks))
        for cell in sorted(found, key=lambda cell: activities[cell.activity_id].ordinal):
            cell.activity = activities[cell.activity_id]
            cell.url = cell_link(
                slug=frameworks[cell.framework_id].slug,
                activity=cell.activity.slug,
                level=level.slug,
            )
            cells.setdefault(cell.framework_id, []).append(cell)
        groups = [
            {"framework": framework, "cells": cells.get(framework.pk, [])}
            for framework in page.items
        ]
        if state is None:
            depends_on(
                self.request,
                "vocabulary",
                "frameworks",
                *(f"framework:{framework.pk}" for framework in page.items),
                *(f"document:{c.passage.document_id}" for c in level.citations.all()),
            )
        return {
            **self.error_context(),
            **self.release_context(
                {EngagementLevel: [level], Cell: [c for group in cells.values() for c in group]}
            ),
            "cells_html": fragment(
                "engagement/level_cells.html",
                {"groups": groups, "level": level, "kinds": dict(CellKind.choices)},
            ),
            "page": page,
            "pagination": page,
        }

    def get_level(self) -> EngagementLevel:
        if not hasattr(self, "level"):
            if self.state is None:
                queryset = EngagementLevel.objects.with_citations()
            else:
                queryset = self.state.objects(EngagementLevel).prefetch_state(
                    "citations__passage__document"
                )
            self.level = get_object_or_404(queryset, slug=self.kwargs["slug"])
        return self.level

    def error_context(self, **kwargs) -> dict:
        level = self.get_level()
        citations = list(level.citations.all())
        return {
            "level": level,
            "definition_citations": [c for c in citations if c.role == "definition"],
            "conditions_citations": [c for c in citations if c.role == "conditions"],
            "api_url": api_link("level-detail", level.slug),
            "breadcrumbs": breadcrumbs(
                ("Levels", reverse("engagement:level-index")), (level.name, None)
            ),
        }
