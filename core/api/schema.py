"""The OpenAPI schema: every operation documents its error responses and headers, writes
their `If-Match`, and links say how operations follow one another (`declare_links`)."""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.api.errors import ErrorSerializer

SAFE_METHODS = ("GET", "HEAD")

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


class AtlasAutoSchema(AutoSchema):
    """Every operation documents its error responses, and reads their version headers."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
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
