"""Pages of the institutions: the index, one institution, two compared function by function."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from core.at_release import PARAMETER as RELEASE
from core.at_release import ReleasePageMixin
from core.cache import depends_on
from core.forms import PairForm, picker_suggestions
from core.history import State, objects_of
from core.pages import api_link, breadcrumbs
from core.paging import PageParametersMixin, filtered, only_parameters, paginate
from institutions.filters import InstitutionFilter
from institutions.models import (
    Institution,
    InstitutionAlias,
    InstitutionKind,
    Mandate,
    Relationship,
)
from institutions.selectors import institution_comparison
from sources.models import CitationLink, cite_links, cited_sources

# An institution page lists the first few of its frameworks and units, and links the
# filtered index that lists them all, a page at a time.
FIRST_FEW = 20


def institution_picker(**context) -> dict:
    """What the institutions' comparison picker needs (`_pair_picker.html`): suggestions are
    institutions whose functions the sources compare, the only ones with something to show."""
    return {
        "compare_action": reverse("institutions:institution-compare"),
        "compare_noun": "institution",
        "compare_suggestions": picker_suggestions(
            Institution.objects.filter(mandates__isnull=False).distinct().order_by("name")
        ),
        **context,
    }


class InstitutionIndexView(PageParametersMixin, TemplateView):
    """Institutions, a page at a time, filtered by name, kind, jurisdiction or parent body."""

    template_name = "institutions/institution_index.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filterset = filtered(InstitutionFilter, params, Institution.objects.for_index())
        page = paginate(filterset.qs, params, per_page=self.paginate_by, path=self.request.path)
        depends_on(
            self.request,
            "institutions",
            *(f"institution:{i.pk}" for i in page.items),
            *(f"institution:{i.parent_id}" for i in page.items if i.parent_id),
        )
        return {
            **self.error_context(),
            "jurisdictions": filterset.form.fields["jurisdiction"].choices,
            "institutions": page.items,
            "page": page,
            "pagination": page,
        }

    def error_context(self, **kwargs) -> dict:
        params = self.request.GET
        return institution_picker(
            kinds=InstitutionKind.choices,
            selected_kinds=params.getlist("kind"),
            selected_jurisdictions=params.getlist("jurisdiction"),
            compare_a="uk-aisi",
            compare_b="eu-ai-office",
            api_url=api_link("institution-list", query=params),
            breadcrumbs=breadcrumbs(("Institutions", None)),
        )


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
            )
            for citation in claim.citations.all()
        ]


class InstitutionDetailView(ReleasePageMixin, PageParametersMixin, TemplateView):
    """An institution's names with dates, functions with statuses, ties (a page at a time),
    its first frameworks and units (the filtered indexes list them all); at a release, as
    they stood then."""

    template_name = "institutions/institution_detail.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        institution = self.get_institution()
        only_parameters(self.request.GET, allowed=("page", RELEASE))
        if self.state is None:
            relationships = (
                Relationship.objects.select_related("subject", "object")
                .involving(institution)
                .order_by("date", "slug")
            )
        else:
            relationships = list(
                self.state.objects(Relationship)
                .filter(Q(subject_id=institution.pk) | Q(object_id=institution.pk))
                .order_by("date", "slug")
                .prefetch_state("subject", "object", "citations__passage__document")
            )
        page = paginate(
            relationships, self.request.GET, per_page=self.paginate_by, path=self.request.path
        )
        context, cited = self.shown(page.items)
        if self.state is None:
            depends_on(
                self.request,
                *institution_scopes(institution, context["frameworks"], page.items, cited),
            )
        return {**context, "relationships": page.items, "page": page, "pagination": page}

    def get_institution(self) -> Institution:
        if not hasattr(self, "institution"):
            if self.state is None:
                queryset = Institution.objects.select_related("parent").annotate(
                    framework_count=Count("frameworks", distinct=True),
                    unit_count=Count("children", distinct=True),
                )
            else:
                queryset = self.state.objects(Institution).prefetch_state(*DETAIL_AT_RELEASE)
            self.institution = get_object_or_404(queryset, slug=self.kwargs["slug"])
            if self.state is not None:
                self.institution.framework_count = len(self.institution.frameworks.all())
                self.institution.unit_count = len(self.institution.children.all())
        return self.institution

    def shown(self, relationships: list) -> tuple[dict, set[int]]:
        """The page around its ties: the institution, its names, functions, first frameworks
        and units, every one's citations linked in one query (`sources.models.cite_links`);
        and the documents those quote."""
        institution = self.get_institution()
        aliases = list(institution.aliases.all())
        if self.state is None:
            mandates = list(
                institution.mandates.select_related("function").order_by("function__ordinal")
            )
            cited = cite_links(institution, *aliases, *mandates, *relationships)
            frameworks = list(institution.frameworks.all()[:FIRST_FEW])
            units = list(institution.children.order_by("name")[:FIRST_FEW])
        else:
            mandates = sorted(institution.mandates.all(), key=lambda m: m.function.ordinal)
            _cited_at_release(institution, *aliases, *mandates, *relationships)
            cited = set()
            frameworks = list(institution.frameworks.all())[:FIRST_FEW]
            units = sorted(institution.children.all(), key=lambda unit: unit.name)[:FIRST_FEW]
        return {
            **self.release_context(
                {
                    Institution: [institution],
                    InstitutionAlias: aliases,
                    Mandate: mandates,
                    Relationship: list(relationships),
                }
            ),
            "institution": institution,
            "sources": cited_sources(institution.cited),
            "aliases": aliases,
            "mandates": mandates,
            # The frameworks an institution takes part in come through the reverse relation
            # the framework app gives it, in their own default order.
            "frameworks": frameworks,
            "units": units,
            "all_frameworks_url": f"{reverse('engagement:framework-index')}?institution={institution.slug}",
            "all_units_url": f"{reverse('institutions:institution-index')}?parent={institution.slug}",
            "api_url": api_link("institution-detail", institution.slug),
            "breadcrumbs": breadcrumbs(
                ("Institutions", reverse("institutions:institution-index")),
                (institution.name, None),
            ),
        }, cited

    def error_context(self, **kwargs) -> dict:
        """Everything but the relationships, the one list paged by `?page=`."""
        return self.shown([])[0]


def institution_scopes(
    institution: Institution, frameworks: list, relationships: list, documents: set[int]
) -> list[str]:
    """What an institution's page shows (`core.cache.depends_on`): the institution, its
    parent's name, the functions, the other parties of its ties, its frameworks' names and
    the documents its citations quote."""
    return [
        "vocabulary",
        f"institution:{institution.pk}",
        *([f"institution:{institution.parent_id}"] if institution.parent_id else []),
        *(f"institution:{r.subject_id}" for r in relationships),
        *(f"institution:{r.object_id}" for r in relationships),
        *(f"framework:{framework.pk}" for framework in frameworks),
        *(f"document:{document}" for document in documents),
    ]


def institution_pair(params, *, state: State | None = None) -> PairForm:
    """The `a`/`b` pair of the comparison page and its exports (validate with is_valid()):
    each a slug, or a name, short name or other name of an institution (at a release,
    `state`, a slug, name or short name as it stood then)."""
    return PairForm(
        params,
        queryset=objects_of(Institution, state),
        noun="institution",
        names=("name", "short_name", "aliases__name") if state is None else ("name", "short_name"),
    )


class InstitutionCompareView(ReleasePageMixin, TemplateView):
    """Two institutions' functions side by side, differences highlighted, each status cited.

    `a` and `b` take a slug or a name (`institution_pair`); a pair named by names is
    redirected to its slugs, the one address of the comparison."""

    template_name = "institutions/institution_compare.html"

    def get(self, request, *args, **kwargs):
        form = institution_pair(request.GET, state=self.state)
        valid = form.is_valid()
        if (moved := self.pair_redirect(form)) is not None:
            return moved
        context = institution_picker(
            compare_a=form.slugs["a"],
            compare_b=form.slugs["b"],
            compare_choices=form.choice_links(request.path),
            breadcrumbs=breadcrumbs(
                ("Institutions", reverse("institutions:institution-index")), ("Compare", None)
            ),
        )
        if not valid:
            context["errors"] = {name: list(errors) for name, errors in form.errors.items()}
            return self.render_to_response(context, status=400)
        comparison = institution_comparison(
            form.cleaned_data["a"], form.cleaned_data["b"], state=self.state
        )
        if self.state is None:
            depends_on(
                request,
                "vocabulary",
                "institutions",  # the picker's suggestions
                f"institution:{comparison.a.pk}",
                f"institution:{comparison.b.pk}",
                *(
                    f"document:{citation.passage.document_id}"
                    for row in comparison.rows
                    for mandate in (row.a, row.b)
                    if mandate is not None
                    for citation in mandate.citations.all()
                ),
            )
        context.update(
            a=comparison.a,
            b=comparison.b,
            rows=comparison.rows,
            differences=comparison.differences,
            api_url=api_link(
                "mandate-list", institution=f"{comparison.a.slug},{comparison.b.slug}"
            ),
            **self.release_context(
                {
                    Institution: [comparison.a, comparison.b],
                    Mandate: [m for row in comparison.rows for m in (row.a, row.b) if m],
                }
            ),
        )
        return self.render_to_response(context)
