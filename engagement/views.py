"""Pages of the engagement framework: the matrix and what it is made of.

Every view fetches what its page shows with a fixed number of queries (named QuerySet
methods and flat lookups), puts it in the context with `breadcrumbs` and `api_url` (the
page's JSON twin under /api/v1/), and never lets the template walk an unloaded relation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView

from core.at_release import PARAMETER as RELEASE
from core.at_release import ReleasePageMixin, release_query
from core.filtering import CommaSeparatedMultiple
from core.forms import PairForm, picker_suggestions
from core.history import objects_of
from core.links import link
from core.metadata import absolute_url, canonical_url, dataset, json_ld
from core.pages import ComparePageView, api_link, breadcrumbs, fragment
from core.paging import PageParametersMixin, filtered, paginate
from engagement.charts import counts_by_level, distribution_svg, heatmap_svg
from engagement.filters import KEYWORD_AT_RELEASE, ActivityFilter, CellFilter
from engagement.matrix import CellGrid, add_source_links, place_cells
from engagement.models import (
    EVIDENCE_SHOWN,
    Activity,
    Cell,
    CellEvidence,
    CellKind,
    EngagementLevel,
    Framework,
)
from engagement.selectors import (
    MatrixPage,
    activities_in_order,
    cell_with_neighbours,
    cells_of,
    claim_with_citations,
    framework_cards,
    framework_comparison,
    framework_matrix,
    levels_in_order,
    linked,
    listed_frameworks,
    matrix_page,
    matrix_page_cells,
    matrix_selection,
)
from engagement.templatetags.explorer import matrix_cells
from sources.metadata import cited_page
from sources.models import CitationRole

# The matrix page's own parameters besides the filters; `framework` and `institution` are
# the path's business there, so they are refused like any unknown name. Its exports take
# the same query string (and `excel`).
MATRIX_PARAMETERS = ("level", "activity", "kind", "evidence", "emphasised", "q")
MATRIX_QUERY = frozenset({*MATRIX_PARAMETERS, "view", RELEASE})
VIEWS = {"activities": "Activities as rows", "levels": "Levels as rows"}


# The matrix's exports, as its Dataset's downloads.
EXPORT_MEDIA_TYPES = (
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("json", "application/json"),
    ("md", "text/markdown"),
)


def matrix_description(framework) -> str:
    """What a framework's matrix page holds, in a sentence or two (its own description
    first, when it has one)."""
    own = " ".join((framework.description or "").split())
    summary = (
        f"The engagement matrix of {framework.name}: which common activities the "
        "institutions should do together at each level of engagement (collaboration, "
        "coordination, communication, separation), every cell cited to the passage of "
        f"{framework.document.title} it comes from."
    )
    return f"{own} {summary}" if own else summary


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

    def get_page(self) -> MatrixPage:
        page = matrix_page(self.slug(), state=self.state)
        if page is None:
            raise Http404("No such framework.")
        return page

    def get(self, request, *args, **kwargs):
        page, params = self.get_page(), request.GET
        framework = page.framework
        context, fragment_context = self.contexts(
            framework,
            document_url=page.document_url,
            institutions=page.institutions,
            levels=page.levels,
            activities=page.activities,
        )
        errors = self.parameter_errors(params)
        filterset = None
        if not errors and any(name in params for name in MATRIX_PARAMETERS):
            filterset = CellFilter(
                params,
                queryset=objects_of(Cell, self.state).filter(framework_id=framework.pk),
                one_framework=True,
            )
            if not filterset.is_valid():
                errors = {name: list(messages) for name, messages in filterset.errors.items()}
        if errors:
            context["errors"] = dict(sorted(errors.items()))
            context["content"] = fragment("engagement/matrix.html", fragment_context)
            return self.render_to_response(context, status=400)
        cells, cited = matrix_page_cells(page, filterset, state=self.state)
        if filterset is not None:
            fragment_context["keyword_note"] = filterset.keyword_note()
        selection = matrix_selection(filterset, levels=page.levels, activities=page.activities)
        matrix = framework_matrix(framework, cells, selection)
        self.declare_scopes(
            *framework_scopes(framework, page.institutions),
            *(f"document:{d}" for d in cited),
        )
        context.update(self.release_context({Framework: [framework], Cell: matrix.cells}))
        return self.matrix_response(context, fragment_context, matrix)

    def contexts(self, framework, **shown) -> tuple[dict, dict]:
        """The page's context and its fragment's, before the matrix is read: the framework,
        what the form offers (`shown`: its document's URL, institutions, levels and
        activities) and what the request asked for."""
        params = self.request.GET
        description = matrix_description(framework)
        context = {
            "framework": framework,
            "description": description,
            "structured_data": self.dataset(framework, description),
            "api_url": self.api_url(framework, params),
            "breadcrumbs": breadcrumbs(
                ("Frameworks", reverse("engagement:framework-index")), (framework.name, None)
            ),
        }
        fragment_context = {
            "framework": framework,
            **shown,
            "kinds": CellKind.choices,
            "evidences": [(value, EVIDENCE_SHOWN[value]) for value in CellEvidence],
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

    def parameter_errors(self, params) -> dict[str, list[str]]:
        errors = {
            name: [
                "Unknown parameter; this page takes "
                + ", ".join(MATRIX_PARAMETERS)
                + ", view, release."
            ]
            for name in sorted(set(params) - MATRIX_QUERY)
        }
        errors.update(view_errors(params))
        if self.state is not None and params.get("q", "").strip():
            errors["q"] = [KEYWORD_AT_RELEASE]
        return errors

    def dataset(self, framework, description: str):
        """The matrix as a schema.org Dataset: its exports of what the page shows (the same
        filters), and the source it is drawn from."""
        request = self.request
        url = canonical_url(request)
        return json_ld(
            dataset(
                name=framework.name,
                description=description,
                url=url,
                distribution=[
                    (
                        media_type,
                        canonical_url(
                            request,
                            reverse(
                                "engagement:framework-export",
                                kwargs={"slug": framework.slug, "fmt": fmt},
                            ),
                        ),
                    )
                    for fmt, media_type in EXPORT_MEDIA_TYPES
                ],
                isBasedOn={
                    "@type": "CreativeWork",
                    "name": framework.document.title,
                    "url": absolute_url(request, framework.document.get_absolute_url()),
                },
                isAccessibleForFree=True,
            )
        )

    @staticmethod
    def selected(params) -> dict[str, list[str]]:
        """The values the form shows as chosen, read as the filter reads them."""
        widget = CommaSeparatedMultiple()
        return {
            name: widget.value_from_datadict(params, None, name)
            for name in ("level", "activity", "kind", "evidence")
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

    def get_page(self) -> MatrixPage:
        page = matrix_page(settings.ATLAS_DEFAULT_FRAMEWORK, state=self.state)
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
        page = framework_cards(self.request.GET, per_page=self.paginate_by, path=self.request.path)
        levels = levels_in_order()
        counts = _filled_counts(Cell.objects.filter(framework__in=[f["pk"] for f in page.items]))
        for framework in page.items:
            filled = counts.get(framework["pk"], {})
            framework["filled_by_level"] = [
                (level.name, filled.get(level.pk, 0)) for level in levels
            ]
            framework["filled"] = sum(filled.values())
        totals = {
            level.pk: sum(counts.get(f["pk"], {}).get(level.pk, 0) for f in page.items)
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
        cell, neighbours = cell_with_neighbours(state=self.state, **self.kwargs)
        framework = cell.framework
        citations = list(cell.citations.all())
        self.declare_scopes(
            *framework_scopes(framework),
            *(f"document:{citation.passage.document_id}" for citation in citations),
        )
        title = f"{cell.activity.name} / {cell.level.name}"
        return {
            "cell": cell,
            "framework": framework,
            # Passages that say otherwise are listed apart, under their own heading.
            "citations": [c for c in citations if c.role != CitationRole.CONTRADICTS],
            "contradicting": [c for c in citations if c.role == CitationRole.CONTRADICTS],
            "evidence_shown": EVIDENCE_SHOWN.get(cell.evidence, cell.evidence),
            # Saved to a reference manager, a cell is its framework's source document (the
            # work it quotes) at the cell's own address: the cell is not a work of its own,
            # and the address is what a reader of the reference needs to find it again.
            "cited_page": cited_page(
                self.request,
                framework.document,
                url=canonical_url(self.request),
                page_title=f"{title} · {framework.name}",
            ),
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


class FrameworkCompareView(ComparePageView):
    """Two matrices side by side, activity by activity; cells only one of them fills marked."""

    template_name = "engagement/framework_compare.html"
    crumbs = ("Frameworks", "engagement:framework-index")

    def pair_form(self, params) -> PairForm:
        return PairForm(params, queryset=objects_of(Framework, self.state), noun="framework")

    def picker(self, **context) -> dict:
        return framework_picker(**context)

    def compared(self, a: Framework, b: Framework) -> dict:
        comparison = framework_comparison(a, b, state=self.state)
        self.declare_scopes(
            "vocabulary",
            "frameworks",  # the picker's suggestions
            f"framework:{comparison.a.pk}",
            f"framework:{comparison.b.pk}",
        )
        table = fragment(
            "engagement/compare.html",
            {
                "a": comparison.a,
                "b": comparison.b,
                "levels": comparison.levels,
                "rows": comparison.rows,
                "evidence_shown": EVIDENCE_SHOWN,
                "activity_urls": {
                    row.activity.pk: row.activity.get_absolute_url() for row in comparison.rows
                },
            },
        )
        cells = [c for row in comparison.rows for p in row.pairs for c in (p.a, p.b) if c]
        return {
            "a": comparison.a,
            "b": comparison.b,
            "table": table,
            "only_a": comparison.only_a,
            "only_b": comparison.only_b,
            "api_url": api_link("cell-list", framework=f"{comparison.a.slug},{comparison.b.slug}"),
            **self.release_context({Framework: [comparison.a, comparison.b], Cell: cells}),
        }


class ActivityIndexView(PageParametersMixin, TemplateView):
    """The common activities, a page at a time, with the levels frameworks single out."""

    template_name = "engagement/activity_index.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filterset = filtered(ActivityFilter, params, Activity.objects.order_by("ordinal"))
        page = paginate(filterset.qs, params, per_page=self.paginate_by, path=self.request.path)
        levels = {level.pk: level for level in levels_in_order()}
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


def _activity_rows(activity: Activity, frameworks, grid: dict[int, CellGrid], levels) -> dict:
    """An activity's page: a row of its cells, one a level, for each framework."""
    rows = []
    for framework in frameworks:
        at = grid.get(framework.pk, {}).get(activity.pk, {})
        rows.append({"framework": framework, "cells": [at.get(level.pk) for level in levels]})
    return {
        "levels": levels,
        "rows_html": fragment(
            "engagement/activity_rows.html",
            {"rows": rows, "levels": levels, "matrix_cells": matrix_cells},
        ),
    }


def _level_groups(
    level: EngagementLevel, frameworks, grid: dict[int, CellGrid], activities
) -> dict:
    """A level's page: each framework's cells at the level, in the activities' order (as
    rows, not models: a page of 20 frameworks shows 300 of them)."""
    groups = []
    for framework in frameworks:
        by_activity = grid.get(framework.pk, {})
        cells = [
            by_activity[activity.pk][level.pk]
            for activity in activities
            if activity.pk in by_activity
        ]
        groups.append({"framework": framework, "cells": cells})
    return {
        "cells_html": fragment(
            "engagement/level_cells.html",
            {
                "groups": groups,
                "level": level,
                "kinds": dict(CellKind.choices),
                "evidence_shown": EVIDENCE_SHOWN,
            },
        )
    }


def _no_more(claim) -> dict:
    return {}


def _level_citations(level: EngagementLevel) -> dict:
    """A level's page quotes its definition and its conditions, each with its sources."""
    citations = list(level.citations.all())
    return {
        "definition_citations": [c for c in citations if c.role == "definition"],
        "conditions_citations": [c for c in citations if c.role == "conditions"],
    }


@dataclass(frozen=True)
class Axis:
    """What an activity's or a level's page is about: one row or one column of every
    framework's grid. `name` is the URL names' and the cells' (`activity`, `level`)."""

    model: type[Activity] | type[EngagementLevel]
    name: str
    index_title: str
    # The other axis, all of it in order: the positions the page shows of each framework.
    across: str
    # The page's cells laid out: (chosen, frameworks, grid, across) to its context.
    layout: Callable[..., dict]
    # Whether the page links each cell's sources (the activity's grid does).
    sourced: bool
    # What the page shows of the object itself besides its name and sources.
    about: Callable[..., dict] = _no_more

    def positions(self, chosen, across: list) -> dict[str, list]:
        """The activities and levels of the page's grids: the one chosen, and the other axis."""
        own = "levels" if self.across == "activities" else "activities"
        return {own: [chosen], self.across: across}


ACTIVITY_AXIS = Axis(
    Activity, "activity", "Activities", across="levels", layout=_activity_rows, sourced=True
)
LEVEL_AXIS = Axis(
    EngagementLevel,
    "level",
    "Levels",
    across="activities",
    layout=_level_groups,
    sourced=False,
    about=_level_citations,
)
_IN_ORDER = {"levels": levels_in_order, "activities": activities_in_order}


class AxisDetailView(ReleasePageMixin, PageParametersMixin, TemplateView):
    """An activity or a level (its `axis`) in every framework, filtered and a page of
    frameworks at a time; at a release, as it stood then. The activity's page lays its
    cells out as a grid of frameworks by levels, with their sources; the level's lists each
    framework's cells by activity."""

    axis: Axis

    def get_context_data(self, **kwargs):
        axis, state, chosen = self.axis, self.state, self.get_object()
        page = listed_frameworks(
            self.request.GET, state=state, per_page=self.paginate_by, path=self.request.path
        )
        across = linked(_IN_ORDER[axis.across](state))
        found = cells_of(
            state, framework_id__in=[f.pk for f in page.items], **{f"{axis.name}_id": chosen.pk}
        )
        grid = place_cells(found, frameworks=page.items, **axis.positions(chosen, across))
        cells = [
            cell
            for by_activity in grid.values()
            for row in by_activity.values()
            for cell in row.values()
        ]
        cited = add_source_links(cells, state=state) if axis.sourced else set()
        self.declare_scopes(
            "vocabulary",
            "frameworks",
            *(f"framework:{framework.pk}" for framework in page.items),
            *(f"document:{d}" for d in cited),
            *(f"document:{c.passage.document_id}" for c in chosen.citations.all()),
        )
        return {
            **self.error_context(),
            **axis.layout(chosen, page.items, grid, across),
            "page": page,
            "pagination": page,
            **self.release_context({axis.model: [chosen], Cell: cells}),
        }

    def get_object(self) -> Activity | EngagementLevel:
        if not hasattr(self, "object"):
            self.object = claim_with_citations(
                self.axis.model, slug=self.kwargs["slug"], state=self.state
            )
        return self.object

    def error_context(self, **kwargs) -> dict:
        chosen, name = self.get_object(), self.axis.name
        return {
            name: chosen,
            **self.axis.about(chosen),
            "api_url": api_link(f"{name}-detail", chosen.slug),
            "breadcrumbs": breadcrumbs(
                (self.axis.index_title, reverse(f"engagement:{name}-index")), (chosen.name, None)
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


class ActivityDetailView(AxisDetailView):
    axis = ACTIVITY_AXIS
    template_name = "engagement/activity_detail.html"
    # 20 frameworks' rows of four cells with their sources: 80 cells, about a matrix's (a
    # page of 50 took three times the matrix page's time to make, and long to scroll).
    paginate_by = 20


class LevelDetailView(AxisDetailView):
    axis = LEVEL_AXIS
    template_name = "engagement/level_detail.html"
    paginate_by = 20
