"""A URLconf holding one endpoint written as a new one would be: a viewset deriving from
`AtlasViewSetMixin` that says nothing about its schema (tests/api/test_schema.py)."""

from django.urls import include, path
from rest_framework import viewsets
from rest_framework.routers import DefaultRouter

from core.api.viewsets import AtlasViewSetMixin
from institutions.filters import MandateFilter
from institutions.models import Mandate
from institutions.serializers import MandateSerializer


class NewViewSet(AtlasViewSetMixin, viewsets.ModelViewSet):
    serializer_class = MandateSerializer
    filterset_class = MandateFilter
    ordering_fields = ["status", "institution__name"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return Mandate.objects.all()


router = DefaultRouter()
router.register("novelties", NewViewSet, basename="novelty")

urlpatterns = [path("api/v1/", include(router.urls))]
