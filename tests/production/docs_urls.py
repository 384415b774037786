"""The root URLconf plus drf-spectacular's split Swagger UI, as the API issue mounts it."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.urls import urlpatterns as root_urlpatterns

urlpatterns = [
    *root_urlpatterns,
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]
