"""The OpenAPI schema: every operation documents its error responses, reads their headers."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

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
    """Every operation documents its error responses, and reads their version headers.
    A view's `read_parameters` (OpenAPI parameters, such as `release`) document its reads."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method in SAFE_METHODS:
            parameters += list(getattr(self.view, "read_parameters", ()))
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
