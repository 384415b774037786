"""Pages of the institutions: the index, one institution, two compared function by function."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from engagement.models import Framework
from institutions.models import Function, Institution, Mandate, Relationship


def _crumbs(*items: tuple[str, str | None]) -> list[dict]:
    return [{"label": label, "url": url} for label, url in items]


class InstitutionIndexView(TemplateView):
    template_name = "institutions/institution_index.html"

    def get_context_data(self, **kwargs):
        return {
            "institutions": list(Institution.objects.for_index()),
            "api_url": "/api/v1/institutions/",
            "breadcrumbs": _crumbs(("Institutions", None)),
        }


class InstitutionDetailView(TemplateView):
    """An institution's names with dates, functions with statuses, ties and frameworks."""

    template_name = "institutions/institution_detail.html"

    def get_context_data(self, **kwargs):
        institution = get_object_or_404(
            Institution.objects.for_detail().prefetch_related(
                Prefetch("frameworks", queryset=Framework.objects.order_by("ordinal", "name")),
                "children",
            ),
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
            "api_url": f"/api/v1/institutions/{institution.slug}/",
            "breadcrumbs": _crumbs(
                ("Institutions", reverse("institutions:institution-index")),
                (institution.name, None),
            ),
        }


class InstitutionCompareView(TemplateView):
    """Two institutions' functions side by side, differences highlighted, each status cited."""

    template_name = "institutions/institution_compare.html"

    def get(self, request, *args, **kwargs):
        institutions = list(Institution.objects.order_by("name"))
        by_slug = {institution.slug: institution for institution in institutions}
        context = {
            "institutions": institutions,
            "a_slug": request.GET.get("a", "").strip(),
            "b_slug": request.GET.get("b", "").strip(),
            "breadcrumbs": _crumbs(
                ("Institutions", reverse("institutions:institution-index")), ("Compare", None)
            ),
        }
        errors = {}
        for name in ("a", "b"):
            value = context[f"{name}_slug"]
            if not value:
                errors[name] = ["Required: the slug of an institution."]
            elif value not in by_slug:
                errors[name] = [f"No institution “{value}”."]
        if errors:
            context["errors"] = errors
            return self.render_to_response(context, status=400)
        a, b = by_slug[context["a_slug"]], by_slug[context["b_slug"]]
        mandates = {
            (mandate.institution_id, mandate.function_id): mandate
            for mandate in Mandate.objects.for_comparison([a, b])
        }
        rows = []
        for function in Function.objects.order_by("ordinal"):
            mandate_a = mandates.get((a.pk, function.pk))
            mandate_b = mandates.get((b.pk, function.pk))
            status_a = mandate_a.status if mandate_a else None
            status_b = mandate_b.status if mandate_b else None
            rows.append(
                {
                    "function": function,
                    "a": mandate_a,
                    "b": mandate_b,
                    "differ": status_a != status_b,
                }
            )
        context.update(
            a=a,
            b=b,
            rows=rows,
            differences=sum(row["differ"] for row in rows),
            api_url=f"/api/v1/mandates/?institution={a.slug},{b.slug}",
        )
        return self.render_to_response(context)
