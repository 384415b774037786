"""The base of every API viewset: strict query strings, JSON errors, CSV, conditional GET,
editor-only atomic writes. The viewsets themselves live in each app's `api.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from rest_framework import exceptions
from rest_framework.mixins import ListModelMixin
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import Serializer
from rest_framework.viewsets import GenericViewSet

from core.api import csv
from core.api.conditional import not_modified, version_headers
from core.api.errors import NotModified
from core.api.filters import StrictFilterBackend, StrictOrderingFilter, query_string_check
from core.api.pagination import Pagination
from core.api.permissions import EditorPermissions
from core.dataset import Version, dataset_version

SAFE_METHODS = ("GET", "HEAD")

if TYPE_CHECKING:
    # A mixin of viewsets: checked as one, a plain class at run time (the viewset's own
    # base comes after it in the method resolution order).
    class _ViewSet(ListModelMixin, GenericViewSet): ...

else:
    _ViewSet = object


class AtlasViewSetMixin(_ViewSet):
    """Strict query strings, JSON errors, CSV, conditional GET, editor-only atomic writes."""

    renderer_classes = [JSONRenderer, csv.CSVRenderer]
    parser_classes = [JSONParser]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    permission_classes = [EditorPermissions]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    dataset: Version | None = None
    # Query parameters the view reads itself, besides its FilterSet's and the list ones.
    query_parameters: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        query_string_check(
            request.query_params,
            getattr(self, "filterset_class", None),
            extra=self.query_parameters,
        )
        super().initial(request, *args, **kwargs)
        if request.method in SAFE_METHODS:
            self.dataset = dataset_version()
            if not_modified(request, self.etag(request), self.dataset):
                raise NotModified()

    def etag(self, request) -> str:
        assert self.dataset is not None  # read by initial() for every safe method
        renderer = getattr(request, "accepted_renderer", None)
        return f'"{self.dataset.etag}-{getattr(renderer, "format", "json")}"'

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise exceptions.ValidationError(
                {"format": [f"Unknown format; use one of {formats}."]}
            ) from None

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), csv.CSVRenderer
        ):
            # Errors are always JSON, even for a CSV request, so they can be read.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.dataset is not None and response.status_code in (200, 304):
            version_headers(response, etag=self.etag(request), version=self.dataset)
        return response

    def list(self, request, *args, **kwargs):
        # A CSV holds every matching row (spreadsheets have no "next page"), so it streams:
        # a chunk of rows at a time, each chunk in a fixed number of queries, memory flat.
        if not isinstance(getattr(request, "accepted_renderer", None), csv.CSVRenderer):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        table = csv.CsvTable(cast(Serializer, self.get_serializer()).fields)
        renderer = csv.CSVRenderer
        return StreamingHttpResponse(
            table.lines(self._serialized_rows(queryset)),
            content_type=f"{renderer.media_type}; charset={renderer.charset}",
        )

    def _serialized_rows(self, queryset):
        chunk = []
        for instance in queryset.iterator(chunk_size=csv.CSV_CHUNK_ROWS):
            chunk.append(instance)
            if len(chunk) == csv.CSV_CHUNK_ROWS:
                yield from self.get_serializer(chunk, many=True).data
                chunk = []
        if chunk:
            yield from self.get_serializer(chunk, many=True).data

    # Each write is one transaction: all of it is saved, or nothing. (These hooks, unlike
    # create/update/destroy, add no routes to the read-only resources.)
    @transaction.atomic
    def perform_create(self, serializer):
        serializer.save()

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.save()

    @transaction.atomic
    def perform_destroy(self, instance):
        instance.delete()
