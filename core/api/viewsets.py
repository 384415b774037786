"""The base of every API viewset: strict query strings, JSON errors, CSV, conditional GET,
per-object ETags and `If-Match`, editor-only atomic writes. The viewsets themselves live in
each app's `api.py`."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, StreamingHttpResponse
from rest_framework import exceptions
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response
from rest_framework.serializers import Serializer, as_serializer_error
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from core.api import csv
from core.api.conditional import if_match_fails, not_modified, object_etag, version_headers
from core.api.errors import NotModified, PreconditionFailed, UniqueConflict
from core.api.filters import StrictFilterBackend, StrictOrderingFilter, query_string_check
from core.api.pagination import Pagination
from core.api.parsers import BoundedJSONParser
from core.api.permissions import EditorPermissions
from core.api.renderers import JSONRenderer
from core.dataset import Version, dataset_version
from core.visibility import private_hidden

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

if TYPE_CHECKING:
    # Mixins of views: checked as one, plain classes at run time (the view's own base
    # comes after them in the method resolution order).
    class _APIView(APIView): ...

    class _ViewSet(ListModelMixin, GenericViewSet): ...

else:
    _APIView = _ViewSet = object


def unique_conflict(serializer) -> UniqueConflict:
    """What a write that lost a race to another (the database refused a duplicate) is
    answered with: the fields whose values another object now holds, found by asking the
    model's own uniqueness checks again."""
    model = serializer.Meta.model
    instance = copy.copy(serializer.instance) if serializer.instance is not None else model()
    concrete = {field.name for field in model._meta.concrete_fields}
    for name, value in serializer.validated_data.items():
        if name in concrete:
            setattr(instance, name, value)
    try:
        instance.validate_unique()
        instance.validate_constraints()
    except DjangoValidationError as error:
        return UniqueConflict(as_serializer_error(error))
    return UniqueConflict(
        {"non_field_errors": ["Another write changed the same objects at the same time; retry."]}
    )


def _only_uniqueness(error: DjangoValidationError) -> bool:
    """Whether every reason of `error` is a value another object holds."""
    errors = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    codes = {item.code for items in errors for item in items}
    return bool(codes) and codes <= {"unique", "unique_together"}


class StrictFormatMixin(_APIView):
    """`?format=` naming no format of the view is a 400 naming `format` (DRF answers 404,
    which would say the resource does not exist)."""

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise exceptions.ValidationError(
                {"format": [f"Unknown format; use one of {formats}."]}
            ) from None


class AtlasViewSetMixin(StrictFormatMixin, _ViewSet):
    """Strict query strings, JSON errors, CSV, conditional GET, per-object ETags and
    If-Match, bounded JSON bodies, editor-only atomic writes, races answered with a 409."""

    renderer_classes = [JSONRenderer, csv.CSVRenderer]
    parser_classes = [BoundedJSONParser]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    permission_classes = [EditorPermissions]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    dataset: Version | None = None
    # Query parameters the view reads itself, besides its FilterSet's and the list ones.
    # (`query_parameters`, which exports declare, is the whole set a view takes.)
    extra_query_parameters: frozenset[str] = frozenset()
    # The ETag of the one object a detail read, a write or a refused write answers with.
    object_tag: str | None = None
    # The object a create or update wrote, answered as a detail read would show it.
    written = None
    # A lean JSON list, for the lists read most: the page is read with `values(*list_values)`
    # (no model instance, no serializer field per value) and `list_rows()` makes the same
    # objects the serializer would; the serializer stays the definition (a test of each
    # resource holds the two equal), and serves details, writes, CSV and the schema.
    list_values: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        """Each write is one transaction: all of it is saved, or (any error answer) nothing."""
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response

    def initial(self, request, *args, **kwargs):
        query_string_check(
            request.query_params,
            getattr(self, "filterset_class", None),
            extra=self.extra_query_parameters,
        )
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            self.dataset = dataset_version()
            # One object's tag is its own, known once it is read (`retrieve`).
            if self.action != "retrieve" and not_modified(
                request, self.etag(request), self.dataset
            ):
                raise NotModified()

    def etag(self, request) -> str:
        if self.object_tag is not None:
            return self.object_tag
        assert self.dataset is not None  # read by initial() for every safe method
        # An editor's list holds drafts: its tag is never the public's (`core.visibility`).
        seen = "" if private_hidden() else "-editor"
        return f'"{self.dataset.etag}-{self.representation(request)}{seen}"'

    @staticmethod
    def representation(request) -> str:
        return getattr(getattr(request, "accepted_renderer", None), "format", "json")

    def get_object(self):
        """For a write: the object read again under a row lock (held to the end of the
        write's transaction), and refused with a 412 if `If-Match` names another state."""
        instance = super().get_object()
        if self.request.method in SAFE_METHODS:
            return instance
        instance = self.get_queryset().select_for_update(of=("self",)).get(pk=instance.pk)
        if "If-Match" in self.request.headers:
            current = object_etag(self.get_serializer(instance).data)
            if if_match_fails(self.request, current):
                self.object_tag = current
                raise PreconditionFailed()
        return instance

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), csv.CSVRenderer
        ):
            # Errors are always JSON, even for a CSV request, so they can be read.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        if self.written is not None and response.status_code in (200, 201):
            # The answer to a write is the object as a read shows it now, with its ETag:
            # the tag a client sends back with `If-Match` on its next write.
            fresh = self.get_queryset().get(pk=self.written.pk)
            response.data = self.get_serializer(fresh).data
            self.object_tag = object_etag(response.data)
        elif self.action == "retrieve" and response.status_code == 200:
            # One object has its own ETag (not a `retrieve` method here: that would give
            # every viewset built on this one a detail route); `If-None-Match` with it is a
            # 304.
            assert self.dataset is not None
            self.object_tag = object_etag(response.data, self.representation(request))
            if not_modified(request, self.object_tag, self.dataset):
                response = Response(status=NotModified.status_code)
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.dataset is not None and response.status_code in (200, 304):
            version_headers(response, etag=self.etag(request), version=self.dataset)
            if not private_hidden():
                response["Cache-Control"] = "private, no-cache"  # may hold drafts
        elif self.object_tag is not None and response.status_code in (200, 201, 412):
            response["ETag"] = self.object_tag
        if response.status_code == 201 and isinstance(getattr(response, "data", None), dict):
            location = response.data.get("api_url")
            if location:
                response["Location"] = location
        return response

    def get_list_queryset(self):
        """The rows a lean list reads `list_values` from, before filters and ordering."""
        return self.get_queryset()

    def list_rows(self, rows: list[dict]) -> list[dict]:
        """The page's objects, as the serializer represents them, from `list_values` rows."""
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        # A CSV holds every matching row (spreadsheets have no "next page"), so it streams:
        # a chunk of rows at a time, each chunk in a fixed number of queries, memory flat.
        if not isinstance(getattr(request, "accepted_renderer", None), csv.CSVRenderer):
            # At a release (`core.api.at_release`) the objects come from the history: the
            # serializer's path.
            if self.list_values and getattr(self, "release", None) is None:
                queryset = self.filter_queryset(self.get_list_queryset())
                paginator = cast(Pagination, self.paginator)
                rows = paginator.paginate_values(queryset.values(*self.list_values), request)
                return self.get_paginated_response(self.list_rows(rows))
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

    # Writes run in the transaction `dispatch` opens. (These hooks, unlike
    # create/update/destroy, add no routes to the read-only resources.)
    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer) -> None:
        try:
            # A savepoint: after the database refuses a duplicate, the transaction can
            # still ask which fields collide.
            with transaction.atomic():
                serializer.save()
        except IntegrityError:
            raise unique_conflict(serializer) from None
        except DjangoValidationError as error:
            # A service validates again as it writes: values found taken then, though free
            # when the serializer checked them, were taken by a write in between.
            if _only_uniqueness(error):
                raise UniqueConflict(as_serializer_error(error)) from None
            raise
        self.written = serializer.instance

    def perform_destroy(self, instance):
        instance.delete()
