"""Request logging (one JSON line per request, config/logs.py formats it) and the query
parameter guard every route goes through (`core.params`)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponse
from django.shortcuts import render
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.exports import bad_request
from core.params import MAX_VALUES, parameter_errors

logger = logging.getLogger("atlas.request")

# A proxy's request id is kept only when it looks like one; anything else is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """Logs method, path, status, duration and size of every request, and echoes a request id.

    The query string is left out: it can hold search terms people would not want logged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request_id
        size = None if response.streaming else len(response.content)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "bytes": size,
                "cache": response.get("X-Cache"),
                "remote_addr": request.META.get("REMOTE_ADDR"),
                "user_agent": request.headers.get("User-Agent", "")[:200],
            },
        )
        return response


def route_error_format(view_func) -> str:
    """How the route of `view_func` answers errors: "json" (the API), "text" (exports, which
    declare `error_format = "text"`) or "html" (pages, the admin)."""
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    if view_class is not None and issubclass(view_class, APIView):
        return "json"
    return (
        getattr(view_class, "error_format", None)
        or getattr(view_func, "error_format", None)  # a callable view object (a feed)
        or "html"
    )


def parameter_error_response(request, view_func, errors: dict[str, list[str]]):
    """A 400 naming each parameter, in the shape of the route."""
    kind = route_error_format(view_func)
    if kind == "json":
        body = JSONRenderer().render({"detail": "Invalid input.", "errors": errors})
        return HttpResponse(body, status=400, content_type="application/json")
    if kind == "text":
        return bad_request(errors)
    return render(request, "400.html", {"errors": errors}, status=400)


class ParameterGuardMiddleware:
    """Checks every query parameter of every route before its view runs (`core.params`):
    a value no route may take, or a name the route does not declare, is a 400 naming it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.META.get("QUERY_STRING"):
            return None
        view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
        known = getattr(view_class, "query_parameters", None)
        try:
            params = dict(request.GET.lists())
        except TooManyFieldsSent:
            errors = {"query": [f"Too many parameters: at most {MAX_VALUES} values in all."]}
        else:
            errors = parameter_errors(params, known=known)
        if errors:
            return parameter_error_response(request, view_func, errors)
        return None
