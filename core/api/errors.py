"""Every API error is JSON `{"detail": ..., "errors": {field: [reasons]}}`; never HTML."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, serializers, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.parsers import BodyTooLarge


class NotModified(exceptions.APIException):
    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = "Not modified."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object is still referenced by others."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The object changed since you read it: its ETag is no longer the one sent in "
        "If-Match. Nothing was changed; read it again (its ETag is in this answer's ETag "
        "header) and reapply your change."
    )
    default_code = "precondition_failed"


class UniqueConflict(exceptions.ValidationError):
    """Another write created the same object first: a 409 naming the fields."""

    status_code = status.HTTP_409_CONFLICT
    summary = "Another write made an object with the same values first; nothing was changed."


def flatten_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as `{"citations.0.exact": ["..."]}`: one level, named fields;
    errors of no one field (Django's `__all__`) under `non_field_errors`, as DRF names them."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else str(key)
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else key))
        return flat
    if isinstance(errors, list) and errors and all(isinstance(e, (dict, list)) for e in errors):
        flat = {}
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "non_field_errors": [str(m) for m in messages]}


def exception_handler(exc, context):
    """DRF's handler, with every error answered in the one JSON shape."""
    if isinstance(exc, (ProtectedError, RestrictedError)):
        referring = (
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        exc = Conflict(f"Cannot delete it: {len(referring)} other object(s) still refer to it.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        # Django's own bound (DATA_UPLOAD_MAX_MEMORY_SIZE), met before the parser's lower one.
        exc = BodyTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, NotModified):
        response.data = None
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": getattr(exc, "summary", "Invalid input."),
            "errors": flatten_errors(exc.detail),
        }
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {"detail": str(detail or exc)}
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    detail = serializers.CharField(help_text="What went wrong.")
    # A field, not the Serializer's `errors` property: the metaclass takes it out of the class.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400s: each offending parameter or field (nested fields dotted, "
        "`citations.0.exact`) with its reasons.",
    )
