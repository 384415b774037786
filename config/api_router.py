"""The API under /api/v1/: one route per resource, the OpenAPI schema and its docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from atlas.api import ChangeViewSet, ReleaseViewSet
from core.api.renderers import JSONRenderer
from engagement.api import ActivityViewSet, CellViewSet, FrameworkViewSet, LevelViewSet
from institutions.api import (
    FunctionViewSet,
    InstitutionViewSet,
    MandateViewSet,
    RelationshipViewSet,
)
from review.api import FlagViewSet
from sources.api import CitationViewSet, DocumentViewSet, JobView, PassageViewSet

app_name = "api"

router = DefaultRouter()
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("functions", FunctionViewSet, basename="function")
router.register("mandates", MandateViewSet, basename="mandate")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("levels", LevelViewSet, basename="level")
router.register("activities", ActivityViewSet, basename="activity")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("cells", CellViewSet, basename="cell")
router.register("documents", DocumentViewSet, basename="document")
router.register("passages", PassageViewSet, basename="passage")
router.register("citations", CitationViewSet, basename="citation")
router.register("changes", ChangeViewSet, basename="change")
router.register("releases", ReleaseViewSet, basename="release")
router.register("flags", FlagViewSet, basename="flag")


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
@renderer_classes([JSONRenderer])
def not_found(request, rest=""):
    """Anything else under /api/v1/ is a JSON 404, not the HTML error page."""
    raise NotFound(f"No API resource at {request.path}.")


not_found.cls.schema = None

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("jobs/<uuid:pk>/", JobView.as_view(), name="job-detail"),
    *router.urls,
    # Keep this last: routes added above it win.
    # [\s\S]: a newline in the path is still under /api/v1/, and still a JSON 404.
    re_path(r"^(?P<rest>[\s\S]*)$", not_found, name="not-found"),
]
