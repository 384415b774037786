"""A trivial view, the benchmark's yardstick: only mounted when ATLAS_BENCH=1 (see bench/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def trivial(request: HttpRequest) -> HttpResponse:
    """The cheapest answer Django can give through the same middleware as every page."""
    return HttpResponse(b"ok", content_type="text/plain")
