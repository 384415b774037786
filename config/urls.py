"""The root URLconf: pages of the three apps, the admin, and (with the API issue) /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from config import health

urlpatterns = [
    path("", include("engagement.urls")),
    path("", include("institutions.urls")),
    path("", include("sources.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
