"""The root URLconf: pages of the three apps, the admin, and (with the API issue) /api/v1/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("engagement.urls")),
    path("", include("institutions.urls")),
    path("", include("sources.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router", namespace="api")),
]
