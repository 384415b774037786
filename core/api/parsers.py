"""The one body the API reads: JSON, bounded in size and depth, its strings checked.

A body over `MAX_BODY_BYTES` is a 413 before it is parsed; one nested deeper than
`MAX_DEPTH` is a 400 (json would otherwise recurse until Python gives up); a string
anywhere in it holding a character stored text may not hold (`core.text`: a control
character other than tab and line feed, a lone surrogate...) is a 400 naming the field
(`citations.0.exact`). Every write is a small object: the limits are far above any real
one.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from core.text import shown, stored_text_problem

# Request bodies (all JSON) are refused above this size: every write is a small object.
MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 20


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = f"The body is too large: at most {MAX_BODY_BYTES} bytes."
    default_code = "too_large"


def _walk(data) -> Iterator[tuple[str, int, object]]:
    """(path, depth, value) of every value and key in `data`; iterative, so that no depth
    can exhaust the stack. Paths are dotted (`citations.0.exact`), keys shown safely."""
    stack: list[tuple[str, int, object]] = [("", 1, data)]
    while stack:
        where, depth, value = stack.pop()
        yield where, depth, value
        if isinstance(value, dict):
            items = [(shown(str(key)), key, item) for key, item in value.items()]
        elif isinstance(value, list):
            items = [(str(index), None, item) for index, item in enumerate(value)]
        else:
            continue
        for name, key, item in items:
            path = f"{where}.{name}" if where else name
            if key is not None:
                yield path, depth, key
            stack.append((path, depth + 1, item))


def body_problems(data) -> dict[str, list[str]]:
    """`{field: [reasons]}` for every string (key or value) of `data` that stored text may
    not hold; a ParseError when `data` is nested deeper than `MAX_DEPTH`."""
    errors: dict[str, list[str]] = {}
    for where, depth, value in _walk(data):
        if depth > MAX_DEPTH:
            raise exceptions.ParseError(
                f"The body is nested too deeply: at most {MAX_DEPTH} levels."
            )
        if isinstance(value, str):
            problem = stored_text_problem(value)
            if problem:
                errors.setdefault(where or "non_field_errors", []).append(problem)
    return errors


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, with the size, depth and character limits of this module."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES:
            raise BodyTooLarge()
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        encoding = parser_context.get("encoding", "utf-8")
        try:
            text = codecs.decode(raw, encoding)
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise exceptions.ParseError(
                f"The body is nested too deeply: at most {MAX_DEPTH} levels."
            ) from None
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        errors = body_problems(data)
        if errors:
            raise exceptions.ValidationError(errors)
        return data
