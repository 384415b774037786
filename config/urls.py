"""The root URLconf: every app's pages, the admin, the API under /api/v1/ and the probes."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from bench.views import trivial
from core import health
from search.api import SearchAPIView

urlpatterns = [
    # Before the api/v1/ include, whose catch-all would answer it with a 404.
    path("api/v1/search/", SearchAPIView.as_view(), name="search-api"),
    path("", include("search.urls")),
    path("", include("engagement.urls")),
    path("", include("institutions.urls")),
    path("", include("sources.urls")),
    path("", include("atlas.urls")),
    path("", include("review.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router", namespace="api")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# The benchmark's yardstick (bench/run.py sets ATLAS_BENCH=1); never mounted in production.
if settings.ATLAS_BENCH:
    urlpatterns.append(path("bench/trivial/", trivial, name="bench-trivial"))
