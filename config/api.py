"""What every API resource shares: strict query strings, errors, pagination, CSV,
conditional GET, permissions and the schema's error shapes.

The viewsets themselves live in each app's `api.py`; they all derive from `AtlasViewSetMixin`.
"""

from __future__ import annotations

import copy
import csv
import io
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, StreamingHttpResponse
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from config.csv_safety import neutralise
from config.filtering import unknown_parameters
from config.links import link
from sources.versioning import DatasetVersion, dataset_version

# Query parameters every list understands besides its FilterSet's.
ALLOWED_PARAMETERS = frozenset({"page", "page_size", "ordering", "format"})
# Credentials in a URL end up in logs, proxies and browser history: refused outright.
QUERY_STRING_CREDENTIALS = ("token", "auth_token", "access_token", "api_key", "apikey", "key")

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

SAFE_METHODS = ("GET", "HEAD")


# --- links -------------------------------------------------------------------------------


def absolute(request, url: str | None) -> str | None:
    if url is None:
        return None
    return request.build_absolute_uri(url) if request is not None else url


def api_url(request, basename: str, lookup: object) -> str:
    """The API detail URL of an object of the resource `basename`."""
    return absolute(request, link(f"api:{basename}-detail", lookup))


# --- errors ------------------------------------------------------------------------------


class NotModified(exceptions.APIException):
    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = "Not modified."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object is still referenced by others."
    default_code = "conflict"


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as `{"citations.0.exact": ["..."]}`: one level, named fields."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list) and errors and all(isinstance(e, (dict, list)) for e in errors):
        flat = {}
        for index, value in enumerate(errors):
            if value:
                flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "non_field_errors": [str(m) for m in messages]}


def exception_handler(exc, context):
    """Every error is JSON `{"detail": ..., "errors": {field: [reasons]}}`; never HTML."""
    if isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict(
            f"Cannot delete it: {len(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)} other object(s) still refer to it."
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, NotModified):
        response.data = None
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "errors": _flatten(exc.detail)}
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {"detail": str(detail or exc)}
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    detail = serializers.CharField(help_text="What went wrong.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400s: each offending parameter or field (nested fields dotted, "
        "`citations.0.exact`) with its reasons.",
    )


# --- pagination --------------------------------------------------------------------------


def _positive_int(name: str, raw: str) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise exceptions.ValidationError({name: [f"“{raw}” is not a whole number of 1 or more."]})
    return number


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (default 50, at most 500: larger sizes are capped)."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(_positive_int(self.page_size_query_param, raw), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None:
            _positive_int(self.page_query_param, raw)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page: default {self.page_size}, at most {self.max_page_size} "
                    "(a larger value is capped)."
                )
        return parameters


# --- filtering ---------------------------------------------------------------------------


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with a value that names nothing answered by a 400 naming the parameter."""

    raise_exception = True


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` over the view's `ordering_fields`; an unknown field is a 400, not ignored."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {item[0] for item in self.get_valid_fields(queryset, view, {"request": request})}
        invalid = [term for term in fields if term.lstrip("-") not in valid]
        if invalid:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Cannot order by {', '.join(invalid)}; use one of {', '.join(sorted(valid))} "
                        "(prefix - for descending)."
                    ]
                }
            )
        return list(fields)


# --- CSV ---------------------------------------------------------------------------------

# Rows serialised per chunk of a streamed CSV: prefetches run once per chunk.
CSV_CHUNK_ROWS = 1000

_LABELS = {"id": "ID", "api_url": "API URL", "html_url": "Page", "url": "URL"}


def column_label(name: str, field) -> str:
    if name in _LABELS:
        return _LABELS[name]
    if name.endswith("_html_url"):
        return f"{name[: -len('_html_url')].replace('_', ' ').capitalize()} page"
    if name.endswith("_api_url"):
        return f"{name[: -len('_api_url')].replace('_', ' ').capitalize()} API URL"
    label = getattr(field, "label", None)
    return str(label) if label else name.replace("_", " ").capitalize()


def _flat_value(value) -> str:
    if isinstance(value, list):
        return " | ".join(_flat_item(item) for item in value)
    if isinstance(value, dict):
        return _flat_item(value)
    return neutralise(value)


def _flat_item(item) -> str:
    if isinstance(item, dict):
        if "exact" in item and "passage" in item:
            return neutralise(f"{item.get('document')}#{item['passage']}: “{item['exact']}”")
        for key in ("slug", "name", "function"):
            if item.get(key):
                summary = str(item[key])
                if "statement" in item:
                    summary += f": {item['statement']}"
                return neutralise(summary)
        return neutralise(json.dumps(item, ensure_ascii=False, default=str))
    return neutralise(item)


class CSVRenderer(BaseRenderer):
    """`?format=csv`: one row per object, flat columns with human headers; nested lists
    (citations, aliases) as one `|`-separated column. Every value is formula-safe."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        rows = data if isinstance(data, list) else [data]
        fields = view.get_serializer().fields if view is not None else {}
        names = list(fields) or (list(rows[0]) if rows else [])
        return csv_lines(
            [csv_header(names, fields), *(csv_row(row, names) for row in rows)]
        ).encode(self.charset)


def csv_header(names: list[str], fields) -> list[str]:
    return [neutralise(column_label(name, fields.get(name))) for name in names]


def csv_row(row: dict, names: list[str]) -> list[str]:
    return [_flat_value(row.get(name)) for name in names]


def csv_lines(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


# --- permissions -------------------------------------------------------------------------


class EditorPermissions(DjangoModelPermissions):
    """Reads open to everyone; each write needs the model's add/change/delete permission
    (granted to the "editors" group)."""

    authenticated_users_only = False

    def has_permission(self, request, view):
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405 Method Not Allowed, which says more
        return super().has_permission(request, view)


# --- the viewset base --------------------------------------------------------------------


def _not_modified(request, etag: str, version: DatasetVersion) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return "*" in tags or etag in tags or etag.strip('"') in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and int(version.changed_at.timestamp()) <= since


class AtlasViewSetMixin:
    """Strict query strings, JSON errors, CSV, conditional GET, editor-only atomic writes."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    parser_classes = [JSONParser]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    permission_classes = [EditorPermissions]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    dataset: DatasetVersion | None = None

    def initial(self, request, *args, **kwargs):
        credentials = [name for name in QUERY_STRING_CREDENTIALS if name in request.query_params]
        if credentials:
            raise exceptions.ValidationError(
                {
                    name: [
                        "Credentials are never accepted in the URL; send "
                        "`Authorization: Token <key>` instead."
                    ]
                    for name in credentials
                }
            )
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            unknown = unknown_parameters(request.query_params, filterset_class, ALLOWED_PARAMETERS)
        else:
            unknown = sorted(set(request.query_params) - ALLOWED_PARAMETERS)
        if unknown:
            known = sorted(set(getattr(filterset_class, "base_filters", ())) | ALLOWED_PARAMETERS)
            raise exceptions.ValidationError(
                {name: [f"Unknown parameter; known: {', '.join(known)}."] for name in unknown}
            )
        super().initial(request, *args, **kwargs)
        if request.method in SAFE_METHODS:
            self.dataset = dataset_version()
            if _not_modified(request, self.etag(request), self.dataset):
                raise NotModified()

    def etag(self, request) -> str:
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
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            # Errors are always JSON, even for a CSV request, so they can be read.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.dataset is not None and response.status_code in (200, 304):
            response["ETag"] = self.etag(request)
            response["Last-Modified"] = http_date(self.dataset.changed_at.timestamp())
            response["X-Dataset-Version"] = str(self.dataset.version)
            response["Cache-Control"] = "no-cache"
            response["Vary"] = "Accept"
        return response

    def list(self, request, *args, **kwargs):
        # A CSV holds every matching row (spreadsheets have no "next page"), so it streams:
        # a chunk of rows at a time, each chunk in a fixed number of queries, memory flat.
        if not isinstance(getattr(request, "accepted_renderer", None), CSVRenderer):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        fields = self.get_serializer().fields
        response = StreamingHttpResponse(
            self._csv_chunks(queryset, list(fields), fields),
            content_type=f"{CSVRenderer.media_type}; charset={CSVRenderer.charset}",
        )
        return response

    def _csv_chunks(self, queryset, names: list[str], fields):
        yield csv_lines([csv_header(names, fields)]).encode(CSVRenderer.charset)
        chunk = []
        for instance in queryset.iterator(chunk_size=CSV_CHUNK_ROWS):
            chunk.append(instance)
            if len(chunk) == CSV_CHUNK_ROWS:
                yield self._csv_chunk(chunk, names)
                chunk = []
        if chunk:
            yield self._csv_chunk(chunk, names)

    def _csv_chunk(self, instances, names: list[str]) -> bytes:
        rows = self.get_serializer(instances, many=True).data
        return csv_lines(csv_row(row, names) for row in rows).encode(CSVRenderer.charset)

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


class ModelCleanMixin:
    """Runs the model's own validation (constraints, lengths, choices) on what a write would
    save, so a bad value is a 400 naming the field instead of a database error."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {field.name for field in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_error(error)) from None
        return attrs


# --- the schema --------------------------------------------------------------------------

_ERRORS_READ = {
    "400": "A query parameter is unknown, malformed, or names nothing.",
    "401": "The credentials sent are wrong.",
    "404": "No such object, or no such page.",
    "406": "The Accept header asks for a format the API does not have.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}
_ERRORS_WRITE = {
    "400": "The input is invalid; `errors` names each field and the reason.",
    "401": "No credentials: send `Authorization: Token <key>` (or log in).",
    "403": "Authenticated, but not allowed to change this kind of object.",
    "404": "No such object.",
    "409": "The object is still referenced by others.",
    "415": "The body is not JSON.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}
_VERSION_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "The dataset version and format."},
    "Last-Modified": {"schema": {"type": "string"}, "description": "When the data last changed."},
    "X-Dataset-Version": {
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "The dataset version: it grows with every write.",
    },
}


class AtlasAutoSchema(AutoSchema):
    """Every operation documents its error responses, and reads their version headers."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        read = self.method in SAFE_METHODS
        for code, description in (_ERRORS_READ if read else _ERRORS_WRITE).items():
            responses.setdefault(
                code,
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    code,
                    media_types=["application/json"],
                ),
            )
        if read:
            for code in ("200",):
                if code in responses:
                    responses[code]["headers"] = dict(_VERSION_HEADERS)
            responses["304"] = {
                "description": "Not modified since the ETag or date sent in If-None-Match or "
                "If-Modified-Since.",
                "headers": dict(_VERSION_HEADERS),
            }
        return responses
