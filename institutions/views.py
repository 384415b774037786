"""Pages of the institutions: the index, one institution, two compared function by function."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from core.forms import PairForm
from core.pages import api_link, breadcrumbs
from institutions.models import Institution, Relationship
from institutions.selectors import institution_comparison


class InstitutionIndexView(TemplateView):
    template_name = "institutions/institution_index.html"

    def get_context_data(self, **kwargs):
        return {
            "institutions": list(Institution.objects.for_index()),
            "api_url": api_link("institution-list"),
            "breadcrumbs": breadcrumbs(("Institutions", None)),
        }


class InstitutionDetailView(TemplateView):
    """An institution's names with dates, functions with statuses, ties and frameworks."""

    template_name = "institutions/institution_detail.html"

    def get_context_data(self, **kwargs):
        # The frameworks an institution takes part in come through the reverse relation the
        # framework app gives it; in their own default order.
        institution = get_object_or_404(
            Institution.objects.for_detail().prefetch_related("frameworks", "children"),
            slug=self.kwargs["slug"],
        )
        mandates = sorted(institution.mandates.all(), key=lambda m: m.function.ordinal)
        relationships = list(
            Relationship.objects.for_list().involving(institution).order_by("date", "slug")
        )
        return {
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


class InstitutionCompareView(TemplateView):
    """Two institutions' functions side by side, differences highlighted, each status cited."""

    template_name = "institutions/institution_compare.html"

    def get(self, request, *args, **kwargs):
        institutions = list(Institution.objects.order_by("name"))
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
        comparison = institution_comparison(form.cleaned_data["a"], form.cleaned_data["b"])
        context.update(
            a=comparison.a,
            b=comparison.b,
            rows=comparison.rows,
            differences=comparison.differences,
            api_url=api_link(
                "mandate-list", institution=f"{comparison.a.slug},{comparison.b.slug}"
            ),
        )
        return self.render_to_response(context)
