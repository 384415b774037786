"""Pages of the engagement framework: the matrix and what it is made of."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from engagement.filters import CellFilter
from engagement.matrix import build_matrix
from engagement.models import Activity, Cell, EngagementLevel, Framework


class FrameworkDetailView(TemplateView):
    """A framework's matrix, filtered by the query string; the URL is the whole state."""

    template_name = "engagement/framework_detail.html"

    def get_framework(self) -> Framework:
        return get_object_or_404(Framework.objects.for_index(), slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        framework = self.get_framework()
        filterset = CellFilter(request.GET, queryset=Cell.objects.for_matrix(framework))
        if not filterset.is_valid():
            context = {"framework": framework, "filterset": filterset, "errors": filterset.errors}
            return self.render_to_response(context, status=400)
        data = filterset.form.cleaned_data
        levels = data.get("level") or EngagementLevel.objects.order_by("ordinal")
        activities = data.get("activity") or Activity.objects.order_by("ordinal")
        narrowed = (
            any(data.get(name) for name in ("kind", "q")) or data.get("emphasised") is not None
        )
        matrix = build_matrix(
            framework,
            filterset.qs,
            levels=sorted(levels, key=lambda level: level.ordinal),
            activities=sorted(activities, key=lambda activity: activity.ordinal),
            keep_empty_rows=not narrowed,
        )
        return self.render_to_response(
            {"framework": framework, "filterset": filterset, "matrix": matrix}
        )


class HomeView(FrameworkDetailView):
    """The default framework's matrix."""

    def get_framework(self) -> Framework:
        framework = (
            Framework.objects.for_index().filter(slug=settings.ATLAS_DEFAULT_FRAMEWORK).first()
        )
        if framework is None:
            raise Http404("The knowledge base is empty: run `python manage.py seed`.")
        return framework
