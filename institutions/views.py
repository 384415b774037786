"""Pages of the institutions: the index, one institution, two compared function by function."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from core.forms import PairForm
from core.history import State, objects_of
from core.pages import api_link, breadcrumbs
from core.releases import ReleasePageMixin
from institutions.models import Institution, InstitutionAlias, Mandate, Relationship
from institutions.selectors import institution_comparison


class InstitutionIndexView(TemplateView):
    template_name = "institutions/institution_index.html"

    def get_context_data(self, **kwargs):
        return {
            "institutions": list(Institution.objects.for_index()),
            "api_url": api_link("institution-list"),
            "breadcrumbs": breadcrumbs(("Institutions", None)),
        }


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


def institution_relationships(institution: Institution, state: State | None) -> list:
    """The ties an institution is a party to, with both parties and their citations."""
    if state is None:
        return list(Relationship.objects.for_list().involving(institution).order_by("date", "slug"))
    return list(
        state.objects(Relationship)
        .filter(Q(subject_id=institution.pk) | Q(object_id=institution.pk))
        .order_by("date", "slug")
        .prefetch_state("subject", "object", "citations__passage__document")
    )


class InstitutionDetailView(ReleasePageMixin, TemplateView):
    """An institution's names with dates, functions with statuses, ties and frameworks."""

    template_name = "institutions/institution_detail.html"

    def get_context_data(self, **kwargs):
        # The frameworks an institution takes part in come through the reverse relation the
        # framework app gives it; in their own default order.
        if self.state is None:
            queryset = Institution.objects.for_detail().prefetch_related("frameworks", "children")
        else:
            queryset = self.state.objects(Institution).prefetch_state(*DETAIL_AT_RELEASE)
        institution = get_object_or_404(queryset, slug=self.kwargs["slug"])
        mandates = sorted(institution.mandates.all(), key=lambda m: m.function.ordinal)
        relationships = institution_relationships(institution, self.state)
        return {
            **self.release_context(
                {
                    Institution: [institution],
                    InstitutionAlias: list(institution.aliases.all()),
                    Mandate: mandates,
                    Relationship: relationships,
                }
            ),
            "institution": institution,
            "mandates": mandates,
            "relationships": relationships,
            "api_url": api_link("institution-detail", institution.slug),
            "breadcrumbs": breadcrumbs(
                ("Institutions", reverse("institutions:institution-index")),
                (institution.name, None),
            ),
        }


def institution_pair(params, *, loaded: list[Institution] | None = None) -> PairForm:
    """The `a`/`b` pair of the comparison page and its exports (validate with is_valid())."""
    return PairForm(params, queryset=Institution.objects.all(), noun="institution", loaded=loaded)


class InstitutionCompareView(ReleasePageMixin, TemplateView):
    """Two institutions' functions side by side, differences highlighted, each status cited."""

    template_name = "institutions/institution_compare.html"

    def get(self, request, *args, **kwargs):
        institutions = list(objects_of(Institution, self.state).order_by("name"))
        form = institution_pair(request.GET, loaded=institutions)
        context = {
            "institutions": institutions,
            "a_slug": form.slugs["a"],
            "b_slug": form.slugs["b"],
            "breadcrumbs": breadcrumbs(
                ("Institutions", reverse("institutions:institution-index")), ("Compare", None)
            ),
        }
        if not form.is_valid():
            context["errors"] = {name: list(errors) for name, errors in form.errors.items()}
            return self.render_to_response(context, status=400)
        comparison = institution_comparison(
            form.cleaned_data["a"], form.cleaned_data["b"], state=self.state
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
                    Mandate: [m for row in comparison.rows for m in (row.a, row.b)],
                }
            ),
        )
        return self.render_to_response(context)
