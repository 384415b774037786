"""Pages of the institutions: the index, one institution, two compared function by function."""

from __future__ import annotations

from django.urls import reverse
from django.views.generic import TemplateView

from core.at_release import PARAMETER as RELEASE
from core.at_release import ReleasePageMixin
from core.cache import depends_on
from core.forms import PairForm, picker_suggestions
from core.history import State, objects_of
from core.pages import ComparePageView, api_link, breadcrumbs
from core.paging import PageParametersMixin, only_parameters, paginate
from institutions.models import (
    Institution,
    InstitutionAlias,
    InstitutionKind,
    Mandate,
    Relationship,
)
from institutions.selectors import (
    institution_comparison,
    institution_for_page,
    institution_parts,
    institution_rows,
    relationships_of,
)
from sources.models import cited_sources

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
        page, jurisdictions = institution_rows(
            self.request.GET, per_page=self.paginate_by, path=self.request.path
        )
        depends_on(
            self.request,
            "institutions",
            *(f"institution:{i['pk']}" for i in page.items),
            *(f"institution:{i['parent_id']}" for i in page.items if i["parent_id"]),
        )
        return {
            **self.error_context(),
            "jurisdictions": jurisdictions,
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


class InstitutionDetailView(ReleasePageMixin, PageParametersMixin, TemplateView):
    """An institution's names with dates, functions with statuses, ties (a page at a time),
    its first frameworks and units (the filtered indexes list them all); at a release, as
    they stood then."""

    template_name = "institutions/institution_detail.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        institution = self.get_institution()
        only_parameters(self.request.GET, allowed=("page", RELEASE))
        page = paginate(
            relationships_of(institution, state=self.state),
            self.request.GET,
            per_page=self.paginate_by,
            path=self.request.path,
        )
        context, cited = self.shown(page.items)
        self.declare_scopes(
            *institution_scopes(institution, context["frameworks"], page.items, cited)
        )
        return {**context, "relationships": page.items, "page": page, "pagination": page}

    def get_institution(self) -> Institution:
        if not hasattr(self, "institution"):
            self.institution = institution_for_page(self.kwargs["slug"], state=self.state)
        return self.institution

    def shown(self, relationships: list) -> tuple[dict, set[int]]:
        """The page around its ties: the institution, its names, functions, first frameworks
        and units, every one's citations linked; and the documents those quote."""
        institution = self.get_institution()
        parts = institution_parts(institution, relationships, first_few=FIRST_FEW, state=self.state)
        return {
            **self.release_context(
                {
                    Institution: [institution],
                    InstitutionAlias: parts.aliases,
                    Mandate: parts.mandates,
                    Relationship: list(relationships),
                }
            ),
            "institution": institution,
            "sources": cited_sources(institution.cited),
            "aliases": parts.aliases,
            "mandates": parts.mandates,
            # The frameworks an institution takes part in come through the reverse relation
            # the framework app gives it, in their own default order.
            "frameworks": parts.frameworks,
            "units": parts.units,
            "all_frameworks_url": f"{reverse('engagement:framework-index')}?institution={institution.slug}",
            "all_units_url": f"{reverse('institutions:institution-index')}?parent={institution.slug}",
            "api_url": api_link("institution-detail", institution.slug),
            "breadcrumbs": breadcrumbs(
                ("Institutions", reverse("institutions:institution-index")),
                (institution.name, None),
            ),
        }, parts.cited

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


class InstitutionCompareView(ComparePageView):
    """Two institutions' functions side by side, differences highlighted, each status cited.
    `a` and `b` take a slug or a name (`institution_pair`)."""

    template_name = "institutions/institution_compare.html"
    crumbs = ("Institutions", "institutions:institution-index")

    def pair_form(self, params) -> PairForm:
        return institution_pair(params, state=self.state)

    def picker(self, **context) -> dict:
        return institution_picker(**context)

    def compared(self, a: Institution, b: Institution) -> dict:
        comparison = institution_comparison(a, b, state=self.state)
        self.declare_scopes(
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
        return {
            "a": comparison.a,
            "b": comparison.b,
            "rows": comparison.rows,
            "differences": comparison.differences,
            "api_url": api_link(
                "mandate-list", institution=f"{comparison.a.slug},{comparison.b.slug}"
            ),
            **self.release_context(
                {
                    Institution: [comparison.a, comparison.b],
                    Mandate: [m for row in comparison.rows for m in (row.a, row.b) if m],
                }
            ),
        }
