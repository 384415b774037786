"""The root URLconf: pages of the three apps, the admin, and (with the API issue) /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import bench, health
from search.api import SearchAPIView

urlpatterns = [
    # Search (issue 7): before any api/v1/ include, so both can coexist.
    path("api/v1/search/", SearchAPIView.as_view(), name="search-api"),
    path("", include("search.urls")),
    path("", include("engagement.urls")),
    path("", include("institutions.urls")),
    path("", include("sources.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router", namespace="api")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# The benchmark's yardstick (bench/run.py sets ATLAS_BENCH=1); never mounted in production.
if settings.ATLAS_BENCH:
    urlpatterns.append(path("bench/trivial/", bench.trivial, name="bench-trivial"))
