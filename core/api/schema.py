"""The OpenAPI schema, written for the tools that generate clients from it.

Everything here is derived from what a view already declares, so that a viewset built on
`core.api.viewsets.AtlasViewSetMixin` (or any APIView) is typed right without a line of
its own:
- Security from its permissions: an operation that an anonymous request passes (every
  read) lists `{}` among its requirements. The requirements most such operations share
  are the document's default (`hoist_anonymous_security`), so those operations declare
  none of their own: generators then accept a plain, unauthenticated client for them,
  and ask an authenticated one only for writes.
- CSV apart from JSON: a GET route that renders CSV gets a twin operation at its `.csv`
  path (`add_csv_operations`; the router serves `/api/v1/cells.csv` and
  `/api/v1/cells/5.csv`), whose 200 is `text/csv`, a string, its columns described
  (`core.api.csv`). The JSON operation declares JSON only.
- Path ids typed as the model field they look up (integer ids, string slugs).
- `ordering` enumerates the fields (`core.api.filters.StrictOrderingFilter`).
- Errors: every operation documents the JSON error envelope of its possible statuses;
  reads with conditional GET their version headers and 304; writes their `If-Match`
  header, the 412 it can give and the written object's ETag.
- Links say how operations follow one another (`declare_links`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, get_view_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request

from core.api.csv import CSVRenderer, CsvTable
from core.api.errors import ErrorSerializer
from core.api.viewsets import AtlasViewSetMixin
from core.exports import csv_lines

SAFE_METHODS = ("GET", "HEAD")
CSV_SUFFIX = ".csv"

_ERRORS_READ = {
    "400": "A query parameter is unknown, malformed, or names nothing; or the page is past "
    "the last. `errors` names each parameter and the reason.",
    "401": "The credentials sent are wrong.",
    "404": "No such object.",
    "406": "The Accept header asks for a format the API does not have.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}
_ERRORS_WRITE = {
    "400": "The input is invalid; `errors` names each field and the reason.",
    "401": "No credentials: send `Authorization: Bearer <key>` (or log in).",
    "403": "Authenticated, but not allowed to change this kind of object.",
    "404": "No such object.",
    "409": "The object is still referenced by others, or another write made an object with "
    "the same values first (`errors` names the fields).",
    "413": "The body is over 1 MiB.",
    "415": "The body is not JSON.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}
_DETAIL_WRITES = ("PUT", "PATCH", "DELETE")
_OBJECT_ETAG = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "The object's own ETag: send it back in If-Match with the next write.",
    }
}
_LOCATION = {
    "Location": {
        "schema": {"type": "string", "format": "uri"},
        "description": "The created object's address (its `api_url`).",
    }
}
_VERSION_HEADERS = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "A list: the dataset version and format. One object: its own, a digest "
        "of its representation (send it in If-Match to write it).",
    },
    "Last-Modified": {"schema": {"type": "string"}, "description": "When the data last changed."},
    "X-Dataset-Version": {
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "The dataset version: it grows with every write.",
    },
}
_CSV_FORMAT = (
    "CSV (RFC 4180, UTF-8, CRLF line ends): a header row, then {rows}. Several values in one "
    "column are separated by ` | `; a value that begins with `=`, `+`, `-`, `@`, a tab or a "
    "carriage return is prefixed with `'` so that no spreadsheet runs it as a formula. "
    "Errors are JSON.\n\nColumns:\n\n{columns}"
)


def _renders_csv(callback) -> bool:
    renderers = callback.initkwargs.get("renderer_classes", callback.cls.renderer_classes)
    return any(getattr(renderer, "format", None) == CSVRenderer.format for renderer in renderers)


def _serves(path: str, callback) -> bool:
    """Whether `path` (its parameters filled in) reaches the same view and action as CSV."""
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    except Resolver404:
        return False
    return (
        getattr(match.func, "cls", None) is callback.cls
        and getattr(match.func, "actions", None) == getattr(callback, "actions", None)
        and match.kwargs.get("format") == CSVRenderer.format
    )


def add_csv_operations(endpoints, **kwargs):
    """Preprocessing hook: each GET route that renders CSV and is also served at its `.csv`
    path gets that path as a CSV-only twin operation (`<operation>_csv`)."""
    twins = [
        (csv_path, path_regex.removesuffix("/$") + r"\.csv/?$", method, callback)
        for path, path_regex, method, callback in endpoints
        if method == "GET" and path.endswith("/") and _renders_csv(callback)
        for csv_path in [path.removesuffix("/") + CSV_SUFFIX]
        if _serves(csv_path, callback)
    ]
    return [*endpoints, *twins]


def hoist_anonymous_security(result, generator, request, public):
    """Postprocessing hook: the security requirements shared by the operations open to
    anonymous requests become the document's default, and those operations drop their own.

    The same statement (anonymous, or any scheme), said once. Generators read an
    operation's own `security` as "needs credentials" even when it lists `{}`, and ask for
    an authenticated client; an operation without one takes the default, which says what
    it accepts.
    """
    operations = [
        operation
        for path_item in result.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
    open_ = [
        operation["security"] for operation in operations if {} in operation.get("security", [])
    ]
    if not open_:
        return result
    default = max(open_, key=open_.count)
    result["security"] = default
    for operation in operations:
        if operation.get("security") == default:
            del operation["security"]
    return result


def share_parameter_enums(result, generator, request, public):
    """Postprocessing hook: a query parameter whose values are those of an enum component
    (`kind`, `role`, `status`, search's `type`) refers to that component, and each
    resource's `ordering` values become one component of its own (`CellsOrdering`), shared by
    its JSON and CSV operations. A generated client then has one enum per set of values: the
    `CellKindEnum` it reads in a cell is the one it filters by."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    by_values: dict[frozenset, list[str]] = {}
    for name, schema in schemas.items():
        if schema.get("type") == "string" and "enum" in schema:
            by_values.setdefault(frozenset(schema["enum"]), []).append(name)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                holder = parameter.get("schema", {})
                if holder.get("type") == "array":
                    holder = holder["items"]
                if "enum" not in holder:
                    continue
                names = by_values.get(frozenset(holder["enum"]), [])
                if parameter["name"] == "ordering":
                    # Named after its resource, even when another resource is ordered by
                    # the same fields: a client names the levels' ordering `LevelsOrdering`.
                    resource = operation["operationId"].removesuffix("_csv").removesuffix("_list")
                    name = "".join(part.capitalize() for part in resource.split("_")) + "Ordering"
                    if name not in schemas:
                        schemas[name] = {"type": "string", **holder}
                    elif schemas[name].get("enum") != holder["enum"]:
                        continue  # another set of values under that name: stays inline
                    names = [name]
                if len(names) == 1:
                    ref = {"$ref": f"#/components/schemas/{names[0]}"}
                    if holder is parameter["schema"]:
                        parameter["schema"] = ref
                    else:
                        parameter["schema"]["items"] = ref
    return result


class AtlasAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the rules of the module docstring."""

    def _is_csv(self) -> bool:
        return self.path.endswith(CSV_SUFFIX)

    # --- naming: the CSV twin is named after its JSON operation -------------------------

    def _tokenize_path(self) -> list[str]:
        tokens = (token.removesuffix(CSV_SUFFIX) for token in super()._tokenize_path())
        return [token for token in tokens if token]

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        return f"{operation_id}_csv" if self._is_csv() else operation_id

    def get_summary(self) -> str | None:
        if self._is_csv():
            return "Every matching object, as CSV" if self._is_list_view() else "As CSV"
        return super().get_summary()

    # --- formats ----------------------------------------------------------------------

    def map_renderers(self, attribute: str) -> list[Any]:
        """JSON operations declare the JSON renderer; CSV twins the CSV one."""
        csv_value = getattr(CSVRenderer, attribute)
        if self._is_csv():
            return [csv_value]
        return [value for value in super().map_renderers(attribute) if value != csv_value]

    def _get_pagination_parameters(self):
        # A CSV holds every matching row: spreadsheets have no "next page".
        return [] if self._is_csv() else super()._get_pagination_parameters()

    def _csv_response(self) -> dict:
        serializer = force_instance(self.get_response_serializers())
        table = CsvTable(serializer.fields)
        rows = "one row per matching object, all of them" if self._is_list_view() else "one row"
        return {
            "description": _CSV_FORMAT.format(rows=rows, columns=table.describe()),
            "content": {
                CSVRenderer.media_type: {
                    "schema": {"type": "string"},
                    "example": b"".join(csv_lines(table.header(), [])).decode(),
                }
            },
        }

    # --- path parameters --------------------------------------------------------------

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        lookup_field = getattr(self.view, "lookup_field", None)
        model = get_view_model(self.view, emit_warnings=False)
        if model is None or lookup_field is None:
            return parameters
        try:
            field = model._meta.pk if lookup_field == "pk" else model._meta.get_field(lookup_field)
        except FieldDoesNotExist:
            return parameters
        kwarg = getattr(self.view, "lookup_url_kwarg", None) or lookup_field
        names = {kwarg, "id" if kwarg == "pk" else kwarg}
        if isinstance(field, models.IntegerField):  # AutoField and BigAutoField too
            for parameter in parameters:
                if parameter["name"] in names:
                    parameter["schema"] = {"type": "integer"}
        return parameters

    # --- security ---------------------------------------------------------------------

    def get_auth(self):
        auth = super().get_auth()
        if {} not in auth and self._anonymous_allowed():
            auth.append({})
        return auth

    def _anonymous_allowed(self) -> bool:
        """Whether the view's permissions let an anonymous request of this method through,
        asked of the permissions themselves on a view bound as `as_view()` binds it."""
        view = copy.copy(self.view)
        for method, action in (getattr(view, "action_map", None) or {}).items():
            setattr(view, method, getattr(view, action))
        django_request = HttpRequest()
        django_request.method = self.method
        request = Request(django_request)  # no authenticators: an anonymous user
        view.request = request
        return all(
            permission.has_permission(request, view) for permission in view.get_permissions()
        )

    # --- responses --------------------------------------------------------------------

    def get_override_parameters(self):
        """A view's `read_parameters` (OpenAPI parameters, such as `release`) document its
        reads; writes of one object take `If-Match`."""
        parameters = list(super().get_override_parameters())
        if self.method in SAFE_METHODS:
            parameters += list(getattr(self.view, "read_parameters", ()))
        if self.method in _DETAIL_WRITES:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The object's ETag as last read: the write is refused (412) "
                    "if the object changed since. `*` matches any state.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        if self._is_csv():
            responses = {"200": self._csv_response()}
        else:
            responses = super()._get_response_bodies(direction)
        read = self.method in SAFE_METHODS
        errors = dict(_ERRORS_READ if read else _ERRORS_WRITE)
        if "{" not in self.path:
            del errors["404"]  # no object named in the path: nothing to be missing
        for code, description in errors.items():
            responses.setdefault(
                code,
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    code,
                    media_types=["application/json"],
                ),
            )
        if self.method in _DETAIL_WRITES:
            responses.setdefault(
                "412",
                self._get_response_for_code(
                    OpenApiResponse(
                        ErrorSerializer,
                        description="If-Match named another state of the object: nothing was "
                        "changed. The ETag header holds the current one.",
                    ),
                    "412",
                    media_types=["application/json"],
                ),
            )
        if not read:
            for code in ("200", "201"):
                if code in responses:
                    responses[code]["headers"] = dict(_OBJECT_ETAG)
            if "201" in responses:
                responses["201"]["headers"].update(_LOCATION)
        if read and isinstance(self.view, AtlasViewSetMixin):
            if "200" in responses:
                responses["200"]["headers"] = dict(_VERSION_HEADERS)
            responses["304"] = {
                "description": "Not modified since the ETag or date sent in If-None-Match or "
                "If-Modified-Since.",
                "headers": dict(_VERSION_HEADERS),
            }
        return responses


_DETAIL = re.compile(r"^(?P<list>.+/)\{(?P<key>\w+)\}/$")


def declare_links(result, generator, request, public):
    """OpenAPI links (a drf-spectacular postprocessing hook): an object created, listed or
    read leads to its detail operations, keyed by its `id` or `slug`; a read leads to the
    writes with its ETag as If-Match. Clients and stateful tests follow them."""
    paths = result.get("paths", {})
    for path, operations in paths.items():
        match = _DETAIL.match(path)
        if match is None or match["list"] not in paths:
            continue
        key = match["key"]
        targets = {
            method: operation["operationId"]
            for method, operation in operations.items()
            if method in ("get", "put", "patch", "delete")
        }
        sources = [
            (paths[match["list"]].get("post"), "201", f"$response.body#/{key}", False),
            (paths[match["list"]].get("get"), "200", f"$response.body#/results/0/{key}", False),
            (operations.get("get"), "200", f"$response.body#/{key}", True),
        ]
        for source, code, expression, with_etag in sources:
            response = (source or {}).get("responses", {}).get(code)
            if response is None:
                continue
            links = response.setdefault("links", {})
            for method, operation_id in targets.items():
                if with_etag and method == "get":
                    continue
                parameters = {key: expression}
                if with_etag and method != "get":
                    parameters["header.If-Match"] = "$response.header.ETag"
                links[operation_id] = {"operationId": operation_id, "parameters": parameters}
    return result
